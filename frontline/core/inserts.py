"""Insert one model instance without the ORM's per-query compilation.

`Model.save()` compiles its INSERT afresh each time: for the problem registration path (a problem,
its first event and an audit row) that compilation was over half of the request's Python time,
and intake is measured in problems per second. `insert_instance` builds the statement once per
model and column set, prepares only the values whose Python form the driver does not take as it
is, and reads the primary key (and any other `returning` column) back with RETURNING, which
PostgreSQL and SQLite ≥ 3.35 both support.

It is a drop-in for `obj.save(force_insert=True)` on models without a custom `save()` and without
signal receivers (none are sent). A column may be given as SQL instead of a value through
`expressions` (e.g. a scalar subquery), saving a round trip; read it back with `returning`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router

# Fields whose values the database drivers take as they are in Python.
PASS_THROUGH = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "FloatField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


def needs_preparing(field: models.Field[Any, Any]) -> bool:
    """Return whether the field's Python value must go through `get_db_prep_save`."""
    return field.get_internal_type() not in PASS_THROUGH


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: tuple[models.Field[Any, Any], ...]  # in the order of the value placeholders
    pre_save: tuple[bool, ...]  # fields whose value comes from `pre_save` (auto_now …)
    prepare: tuple[bool, ...]
    returning: tuple[str, ...]  # attnames, in the order of RETURNING


_statements: dict[tuple[str, type[models.Model], tuple[str, ...], tuple[str, ...]], _Statement] = {}


def _statement(
    alias: str, model: type[models.Model], expression_columns: tuple[str, ...], returning: tuple[str, ...]
) -> _Statement:
    key = (alias, model, expression_columns, returning)
    found = _statements.get(key)
    if found is not None:
        return found
    connection = connections[alias]
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    by_attname = {f.attname: f for f in meta.concrete_fields}
    unknown = (set(expression_columns) | set(returning)) - set(by_attname)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    fields = tuple(f for f in meta.concrete_fields if f is not meta.auto_field and f.attname not in expression_columns)
    quote = connection.ops.quote_name
    columns = [quote(str(f.column)) for f in fields] + [quote(str(by_attname[c].column)) for c in expression_columns]
    placeholders = ["%s"] * len(fields) + ["{" + c + "}" for c in expression_columns]
    read_back = (pk.attname, *(c for c in returning if c != pk.attname))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 (names from the model, quoted)
        f"VALUES ({', '.join(placeholders)}) "
        f"RETURNING {', '.join(quote(str(by_attname[c].column)) for c in read_back)}"
    )
    statement = _Statement(
        sql=sql,
        fields=fields,
        pre_save=tuple(bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) for f in fields),
        prepare=tuple(needs_preparing(f) for f in fields),
        returning=read_back,
    )
    _statements[key] = statement
    return statement


def insert_instance(
    obj: models.Model,
    *,
    expressions: Mapping[str, tuple[str, Sequence[Any]]] | None = None,
    returning: Sequence[str] = (),
) -> None:
    """INSERT `obj` and set its primary key (and the `returning` attributes) from the database.

    `expressions` maps attnames to (SQL, params) used instead of the instance's value for that
    column. Run it inside the caller's transaction; database errors are Django's (IntegrityError …).
    """
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    expressions = expressions or {}
    statement = _statement(alias, model, tuple(expressions), tuple(returning))
    params: list[Any] = []
    for field, pre_save, prepare in zip(statement.fields, statement.pre_save, statement.prepare, strict=True):
        value = field.pre_save(obj, True) if pre_save else getattr(obj, field.attname)
        params.append(field.get_db_prep_save(value, connection) if prepare else value)
    sql = statement.sql
    if expressions:
        sql = sql.format(**{name: expression for name, (expression, _p) in expressions.items()})
        for _expression, extra in expressions.values():
            params.extend(extra)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    for attname, value in zip(statement.returning, row, strict=True):
        setattr(obj, attname, value)
    obj._state.adding = False
    obj._state.db = alias


@dataclass(frozen=True)
class _Joined:
    sql: str
    width: int  # columns of the model; the rest are the related model's
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (index, functions, column expression)
    names: tuple[tuple[str, ...], tuple[str, ...]]  # attnames of both models


_joined: dict[tuple[str, type[models.Model], str], _Joined] = {}


def _build_joined(alias: str, model: type[models.Model], related: str) -> _Joined:
    connection = connections[alias]
    fk = model._meta.get_field(related)
    if not isinstance(fk, models.ForeignKey) or fk.null:
        raise ValueError(f"{model.__name__}.{related} is not a non-null foreign key")
    target = fk.related_model
    assert isinstance(target, type)
    quote = connection.ops.quote_name
    fields = [*model._meta.concrete_fields, *target._meta.concrete_fields]
    own = [f"a.{quote(str(f.column))}" for f in model._meta.concrete_fields]
    other = [f"b.{quote(str(f.column))}" for f in target._meta.concrete_fields]
    target_pk, model_pk = target._meta.pk, model._meta.pk
    assert target_pk is not None
    assert model_pk is not None
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        functions = (*connection.ops.get_db_converters(column), *field.get_db_converters(connection))
        if functions:  # SQLite's dates and booleans, decimals …
            converters.append((index, functions, column))
    return _Joined(
        sql=(
            f"SELECT {', '.join(own + other)} FROM {quote(model._meta.db_table)} a "  # noqa: S608 (quoted names)
            f"JOIN {quote(target._meta.db_table)} b ON b.{quote(str(target_pk.column))} = a.{quote(str(fk.column))} "
            f"WHERE a.{quote(str(model_pk.column))} = %s"
        ),
        width=len(own),
        converters=tuple(converters),
        names=(
            tuple(f.attname for f in model._meta.concrete_fields),
            tuple(f.attname for f in target._meta.concrete_fields),
        ),
    )


def get_with_related[M: models.Model](model: type[M], pk: Any, related: str) -> M | None:
    """Return `model.objects.select_related(related).filter(pk=pk).first()` without compiling a query.

    For hot paths: one SELECT with a JOIN, built once per model and foreign key, whose row is split
    into the two instances (`from_db`, as the ORM does). `related` must be a non-null foreign key.
    """
    alias = router.db_for_read(model)
    connection = connections[alias]
    key = (alias, model, related)
    joined = _joined.get(key)
    if joined is None:
        joined = _joined[key] = _build_joined(alias, model, related)
    with connection.cursor() as cursor:
        cursor.execute(joined.sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, functions, column in joined.converters:
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    fk = model._meta.get_field(related)
    obj = model.from_db(alias, joined.names[0], values[: joined.width])
    fk.set_cached_value(obj, fk.related_model.from_db(alias, joined.names[1], values[joined.width :]))  # type: ignore[union-attr]
    return obj
