//! How the domain's id and amount types are stored: each is a `BIGINT` column, read and written
//! through the `i64` it wraps (bound as that `i64`). Kept here rather than derived in `domain/`, which stays free of
//! diesel; generic over the backend, so the same impls serve PostgreSQL, SQLite and the
//! connection enum over both.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::dsl::AsExprOf;
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{BigInt, Nullable};

use crate::domain::ids::{
    CategoryId, DisputeId, EarnId, EntryId, LotId, MemberId, PartnerId, PaymentId, PromotionId,
    RedemptionId, RunId, StatementId,
};
use crate::domain::money::{MoneyMinor, Points, PriceMicros};

macro_rules! bigint_column {
    ($($t:ty),+ $(,)?) => {$(
        impl<DB> ToSql<BigInt, DB> for $t
        where
            DB: Backend,
            i64: ToSql<BigInt, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <i64 as ToSql<BigInt, DB>>::to_sql(self.as_ref(), out)
            }
        }

        impl<DB> FromSql<BigInt, DB> for $t
        where
            DB: Backend,
            i64: FromSql<BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, DB>>::from_sql(bytes).map(<$t>::from)
            }
        }

        impl<DB> Queryable<BigInt, DB> for $t
        where
            DB: Backend,
            Self: FromSql<BigInt, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl AsExpression<BigInt> for $t {
            type Expression = AsExprOf<i64, BigInt>;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<BigInt>::as_expression(self.get())
            }
        }

        impl AsExpression<BigInt> for &$t {
            type Expression = AsExprOf<i64, BigInt>;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<BigInt>::as_expression(self.get())
            }
        }

        impl AsExpression<Nullable<BigInt>> for $t {
            type Expression = AsExprOf<i64, Nullable<BigInt>>;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<Nullable<BigInt>>::as_expression(self.get())
            }
        }

        impl AsExpression<Nullable<BigInt>> for &$t {
            type Expression = AsExprOf<i64, Nullable<BigInt>>;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<Nullable<BigInt>>::as_expression(self.get())
            }
        }
    )+};
}

bigint_column!(
    MemberId,
    PartnerId,
    EntryId,
    LotId,
    EarnId,
    RedemptionId,
    RunId,
    StatementId,
    PaymentId,
    DisputeId,
    CategoryId,
    PromotionId,
    Points,
    MoneyMinor,
    PriceMicros,
);
