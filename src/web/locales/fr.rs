//! Chaînes françaises des pages membres.

use crate::web::i18n::{EntryKinds, Strings};

/// Every string of the pages, in French.
pub const STRINGS: Strings = Strings {
    network_name: "Réseau de fidélité",
    points_word: "points",
    skip_to_content: "Aller au contenu",
    nav_label: "Principale",
    nav_home: "Accueil",
    nav_account: "Mon compte",
    nav_directory: "Où cumuler",
    nav_rules: "Règlement",
    nav_sign_in: "Se connecter",
    nav_sign_out: "Se déconnecter",
    language_label: "Langue",
    language_name: "Français",
    home_title: "Un seul solde, toutes les enseignes",
    home_intro: "Cumulez des points chez chaque partenaire du réseau et dépensez-les chez tous \
                 les autres. Connectez-vous pour voir votre solde, ce que vous avez cumulé et \
                 dépensé, et pour créer un code qui paie en points en caisse.",
    home_branded_intro: "Vos points du réseau, chez vous dans cette enseigne : le même solde chez \
                         tous les partenaires du réseau.",
    sign_in_title: "Connexion",
    email_label: "Adresse e-mail",
    password_label: "Mot de passe",
    sign_in_failed: "E-mail ou mot de passe incorrect.",
    bad_characters: "Retirez les caractères de contrôle invisibles du formulaire et réessayez.",
    account_title: "Mon compte",
    member_number: "Numéro de membre",
    balance_heading: "Mon solde",
    available: "Disponibles",
    pending: "En attente (délai de retour en cours)",
    held: "Réservés pour un paiement en cours",
    balance_note: "Le même solde chez tous les partenaires du réseau.",
    expiring_heading: "Points qui vont expirer",
    expiring_none: "Aucun de vos points n'arrive à expiration.",
    expiring_on: "Expirent le",
    expiring_inactivity: "Sans aucune activité, tous vos points expirent le",
    history_heading: "Historique",
    history_none: "Rien pour l'instant.",
    col_date: "Date",
    col_what: "Opération",
    col_reference: "Référence",
    col_change: "Variation",
    code_heading: "Payer avec vos points",
    code_intro: "Créez un code à usage unique et montrez-le en caisse : il ne sert qu'une fois, \
                 pendant quelques minutes.",
    code_button: "Créer un code",
    code_title: "Votre code à usage unique",
    code_show: "Montrez ce code en caisse.",
    code_valid_until: "Valable jusqu'au",
    code_expires_in: "Expire dans",
    code_expired: "Ce code a expiré : créez-en un nouveau.",
    code_too_many: "Vous avez déjà plusieurs codes inutilisés : utilisez-les ou laissez-les \
                    expirer d'abord.",
    code_locked: "Trop de codes erronés ont été saisis : les codes sont bloqués un moment.",
    back_to_account: "Retour à mon compte",
    rules_title: "Règlement du programme",
    network_rules_heading: "Le règlement du réseau",
    network_rules: &[
        "Chaque partenaire crédite des points du réseau sur vos achats, à son propre taux. Les \
         points restent d'abord en attente pendant le délai de retour de l'enseigne, puis \
         deviennent disponibles.",
        "Les points disponibles se dépensent chez tout partenaire du réseau : créez un code à \
         usage unique sur la page de votre compte et montrez-le en caisse. Un code ne sert \
         qu'une fois et pendant quelques minutes.",
        "Les points expirent selon la règle du réseau ; votre compte indique ce qui expire et \
         quand. Un remboursement reprend les points que l'achat avait rapportés.",
    ],
    partner_rules_heading: "Le programme de cette enseigne",
    rules_none: "Cette enseigne n'a pas publié de règlement propre.",
    directory_title: "Où cumuler et dépenser",
    directory_intro: "Chaque partenaire ci-dessous crédite et accepte les points du réseau.",
    directory_empty: "Aucun partenaire n'est encore listé.",
    directory_points_called: "Points appelés",
    directory_visit: "Pages membres",
    not_found_title: "Page introuvable",
    not_found_text: "Il n'y a pas de page à cette adresse.",
    forbidden_title: "Requête refusée",
    forbidden_text: "Ce formulaire n'a pas été envoyé depuis ce site, ou il est resté ouvert trop \
                     longtemps. Revenez en arrière, rechargez la page et réessayez.",
    too_many_title: "Trop de tentatives",
    too_many_text: "Trop de connexions échouées. Réessayez dans",
    minutes: "minutes",
    error_title: "Un problème est survenu",
    error_text: "Le service ne peut pas répondre pour le moment. Réessayez dans un instant.",
    kinds: EntryKinds {
        earn: "Points cumulés",
        refund: "Remboursement",
        maturation: "Points en attente devenus disponibles",
        expiry: "Points expirés",
        redemption_hold: "Points réservés pour un paiement",
        redemption_capture: "Points dépensés",
        redemption_release: "Points réservés libérés",
        redemption_reversal: "Points dépensés restitués",
        adjustment: "Ajustement",
        settlement: "Règlement entre partenaires",
        payment: "Paiement",
    },
};
