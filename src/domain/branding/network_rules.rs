//! The network's own program rules, public: shown on the network's pages and in the directory
//! (`GET /v1/network/directory`), in each language the member pages speak.

/// The rules in English, one paragraph each.
pub const EN_GB: &[&str] = &[
    "Every partner credits network points on your purchases at its own rate. Points first \
     stay pending while the shop's return window is open, then become available.",
    "Available points can be spent with any partner of the network: create a one-time code \
     on your account page and show it at the till. A code works once and for a few minutes.",
    "Points expire according to the network's policy; your account shows what expires when. \
     A refund takes back the points its purchase earned.",
];

/// The rules in French, one paragraph each.
pub const FR_FR: &[&str] = &[
    "Chaque partenaire crédite des points du réseau sur vos achats, à son propre taux. Les \
     points restent d'abord en attente pendant le délai de retour de l'enseigne, puis \
     deviennent disponibles.",
    "Les points disponibles se dépensent chez tout partenaire du réseau : créez un code à \
     usage unique sur la page de votre compte et montrez-le en caisse. Un code ne sert \
     qu'une fois et pendant quelques minutes.",
    "Les points expirent selon la règle du réseau ; votre compte indique ce qui expire et \
     quand. Un remboursement reprend les points que l'achat avait rapportés.",
];
