"""The tutorial inventory database, described once: tables, types, seed rows, SQLite and PostgreSQL DDL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SCHEMA = "inventory"
DATABASE = "postgres"  # source.db of the tutorial stack

# Column kinds, named after the PostgreSQL types they stand for.
SERIAL, INTEGER, VARCHAR, FLOAT, NUMERIC, DATE, TIMESTAMP = (
    "serial",
    "integer",
    "varchar",
    "float",
    "numeric",
    "date",
    "timestamp",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    nullable: bool = False
    length: int | None = None  # VARCHAR(n)
    precision: int | None = None  # NUMERIC(p, s)
    scale: int | None = None
    default: str | None = None  # a literal string default, e.g. orders.status 'NEW'
    unique: bool = False
    references: str | None = None  # "table(column)"

    @property
    def pg_type(self) -> str:
        return {
            SERIAL: "SERIAL",
            INTEGER: "INTEGER",
            VARCHAR: f"VARCHAR({self.length})",
            FLOAT: "FLOAT",
            NUMERIC: f"NUMERIC({self.precision},{self.scale})",
            DATE: "DATE",
            TIMESTAMP: "TIMESTAMP",
        }[self.kind]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: str  # single-column primary key, as in every tutorial table
    serial_start: int | None
    seed: tuple[tuple, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def _c(name, kind, **options) -> Column:
    return Column(name, kind, **options)


_CUSTOMERS = Table(
    "customers",
    (
        _c("id", SERIAL),
        _c("first_name", VARCHAR, length=255),
        _c("last_name", VARCHAR, length=255),
        _c("email", VARCHAR, length=255, unique=True),
    ),
    "id",
    1001,
    (
        (1001, "Sally", "Thomas", "sally.thomas@acme.com"),
        (1002, "George", "Bailey", "gbailey@foobar.com"),
        (1003, "Edward", "Walker", "ed@walker.com"),
        (1004, "Anne", "Kretchmar", "annek@noanswer.org"),
    ),
)

_PRODUCTS = Table(
    "products",
    (
        _c("id", SERIAL),
        _c("name", VARCHAR, length=255),
        _c("description", VARCHAR, length=512, nullable=True),
        _c("weight", FLOAT, nullable=True),
        _c("price", NUMERIC, precision=10, scale=2),
    ),
    "id",
    101,
    (
        (101, "scooter", "Small 2-wheel scooter", 3.14, "129.99"),
        (102, "car battery", "12V car battery", 8.1, "89.95"),
        (103, "12-pack drill bits", "12-pack of drill bits with sizes ranging from #40 to #3", 0.8, "12.50"),
        (104, "hammer", "12oz carpenter's hammer", 0.75, "14.99"),
        (105, "hammer", "14oz carpenter's hammer", 0.875, "16.49"),
        (106, "hammer", "16oz carpenter's hammer", 1.0, "18.99"),
        (107, "rocks", "box of assorted rocks", 5.3, "7.25"),
        (108, "jacket", "water resistent black wind breaker", 0.1, "59.90"),
        (109, "spare tire", "24 inch spare tire", 22.2, "74.00"),
    ),
)

_ON_HAND = Table(
    "products_on_hand",
    (
        _c("product_id", INTEGER, references="products(id)"),
        _c("quantity", INTEGER),
    ),
    "product_id",
    None,
    (
        (101, 3),
        (102, 8),
        (103, 18),
        (104, 4),
        (105, 5),
        (106, 0),
        (107, 44),
        (108, 2),
        (109, 5),
    ),
)

_ORDERS = Table(
    "orders",
    (
        _c("id", SERIAL),
        _c("order_date", DATE),
        _c("purchaser", INTEGER, references="customers(id)"),
        _c("quantity", INTEGER),
        _c("product_id", INTEGER, references="products(id)"),
        _c("status", VARCHAR, length=16, default="NEW"),
        _c("total", NUMERIC, precision=10, scale=2),
        _c("updated_at", TIMESTAMP, nullable=True),
    ),
    "id",
    10001,
    (
        (10001, "2016-01-16", 1001, 1, 102, "DELIVERED", "89.95", "2016-01-19 10:15:00"),
        (10002, "2016-01-17", 1002, 2, 105, "DELIVERED", "32.98", "2016-01-20 16:42:10"),
        (10003, "2016-02-19", 1002, 2, 106, "DELIVERED", "37.98", "2016-02-23 09:05:33"),
        (10004, "2016-02-21", 1003, 1, 107, "DELIVERED", "7.25", "2016-02-24 14:30:00"),
    ),
)

# Creation order (foreign keys first) and snapshot order: Debezium snapshots the captured tables
# sorted by name when no table.include.list order is given.
CREATION_ORDER: tuple[Table, ...] = (_CUSTOMERS, _PRODUCTS, _ON_HAND, _ORDERS)
TABLES: tuple[Table, ...] = tuple(sorted(CREATION_ORDER, key=lambda table: table.name))
TABLE_BY_NAME = {table.name: table for table in TABLES}
_INT32 = (-(2**31), 2**31 - 1)


def _sqlite_column(column: Column, table: Table) -> str:
    name = column.name
    if column.kind == SERIAL:
        return f"{name} INTEGER PRIMARY KEY AUTOINCREMENT"  # never reuses ids, like a sequence
    affinity = {INTEGER: "INTEGER", VARCHAR: "TEXT", FLOAT: "REAL", NUMERIC: "TEXT", DATE: "TEXT", TIMESTAMP: "TEXT"}[
        column.kind
    ]
    # NUMERIC/DATE/TIMESTAMP are TEXT so values stay exact; the CHECKs keep them PostgreSQL-valid.
    parts = [name, affinity]
    if name == table.key:
        parts.append("PRIMARY KEY")
    if not column.nullable:
        parts.append("NOT NULL")
    if column.default is not None:
        parts.append(f"DEFAULT '{column.default}'")
    if column.unique:
        parts.append("UNIQUE")
    if column.references:
        parts.append(f"REFERENCES {column.references}")
    check = {
        INTEGER: f"typeof({name}) = 'integer' AND {name} BETWEEN {_INT32[0]} AND {_INT32[1]}",
        VARCHAR: f"length({name}) <= {column.length}",
        FLOAT: f"typeof({name}) = 'real'",
        NUMERIC: f"_pg_numeric_ok({name}, {column.precision}, {column.scale})",
        # Python parses these for the events, so Python decides what is a valid date/timestamp.
        DATE: f"_pg_date_ok({name})",
        TIMESTAMP: f"_pg_timestamp_ok({name})",
    }[column.kind]
    if column.nullable:
        check = f"{name} IS NULL OR ({check})"
    parts.append(f"CONSTRAINT {name}_is_{column.kind} CHECK ({check})")
    return " ".join(parts)


def sqlite_ddl() -> list[str]:
    """CREATE TABLE statements for SQLite, in creation order (change triggers are database.py's)."""
    return [
        f"CREATE TABLE {table.name} ({', '.join(_sqlite_column(c, table) for c in table.columns)})"
        for table in CREATION_ORDER
    ]


def _pg_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def postgres_ddl() -> str:
    """PostgreSQL DDL, seed rows and REPLICA IDENTITY FULL for the same inventory database."""
    lines = [f"CREATE SCHEMA IF NOT EXISTS {SCHEMA};", f"SET search_path TO {SCHEMA};"]
    for table in CREATION_ORDER:
        columns = []
        for column in table.columns:
            spec = f"  {column.name} {column.pg_type}"
            if column.name == table.key:
                spec += " NOT NULL PRIMARY KEY"
            elif not column.nullable:
                spec += " NOT NULL"
            if column.default is not None:
                spec += f" DEFAULT {_pg_literal(column.default)}"
            if column.unique:
                spec += " UNIQUE"
            if column.references:
                spec += f" REFERENCES {SCHEMA}.{column.references}"
            columns.append(spec)
        lines.append(f"CREATE TABLE {SCHEMA}.{table.name} (\n" + ",\n".join(columns) + "\n);")
        names = ", ".join(table.column_names)
        values = ",\n  ".join("(" + ", ".join(_pg_literal(v) for v in row) + ")" for row in table.seed)
        lines.append(f"INSERT INTO {SCHEMA}.{table.name} ({names}) VALUES\n  {values};")
        if table.serial_start is not None:
            lines.append(
                f"SELECT setval(pg_get_serial_sequence('{SCHEMA}.{table.name}', '{table.key}'), "
                f"(SELECT max({table.key}) FROM {SCHEMA}.{table.name}));"
            )
        lines.append(f"ALTER TABLE {SCHEMA}.{table.name} REPLICA IDENTITY FULL;")
    return "\n".join(lines) + "\n"


def numeric_text(value, precision: int, scale: int) -> str | None:
    """The value PostgreSQL stores in NUMERIC(p, s), as exact text ("12.50"); None if invalid."""
    try:
        number = Decimal(value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value))
        number = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite() or number.adjusted() >= precision - scale:
        return None  # PostgreSQL: numeric field overflow
    return format(number, "f")


def normalize_row(table: Table, row: dict) -> dict:
    """A row as PostgreSQL would hold it: NUMERIC rounded to its scale (SQLite kept the typed text)."""
    for column in table.columns:
        if column.kind == NUMERIC:
            value = row.get(column.name)
            if value is not None:
                row[column.name] = numeric_text(value, column.precision, column.scale)
    return row


def typed_value(column: Column, value):
    """A stored value as the Python type a decoder yields (Decimal, date, datetime...)."""
    if value is None:
        return None
    if column.kind == NUMERIC:
        return Decimal(numeric_text(value, column.precision, column.scale))
    if column.kind == DATE:
        return date.fromisoformat(value)
    if column.kind == TIMESTAMP:
        return datetime.fromisoformat(value)
    if column.kind == FLOAT:
        return float(value)
    return value


def typed_row(table: Table, row: dict) -> dict:
    return {column.name: typed_value(column, row.get(column.name)) for column in table.columns}
