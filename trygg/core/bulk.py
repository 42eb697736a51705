"""Many new rows in one short write transaction: everything Django does per value (field
conversion, defaults, ``auto_now_add``) is done *before* the transaction, so that inside it
only the ids are taken and the rows sent — 15 000 rows in a fraction of a second on SQLite
and PostgreSQL, instead of the seconds ``bulk_create`` spends compiling its SQL while every
other writer waits.

    rows = PreparedRows(Observation, observations)      # outside the transaction
    with transaction.atomic():
        ids = rows.insert()                             # ids in the objects' order

Ids come from the table's own sequence (PostgreSQL) or after the highest id ever given
(SQLite, under the write lock ``transaction_mode=IMMEDIATE`` takes at BEGIN), so they never
collide with rows other writers insert before or after.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, transaction

BATCH = 2000


class PreparedRows:
    """New rows of ``model``, converted for the database in advance."""

    def __init__(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        self.model = model
        self.objects = list(objects)
        self.using = "default"
        connection = connections[self.using]
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.rows: list[list[Any]] = [
            [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in self.fields]
            for obj in self.objects
        ]

    def insert(self, keep: Sequence[int] | None = None) -> list[int]:
        """Insert the rows (only those at the positions ``keep``, when given) inside the
        caller's transaction. The objects get their ids; the ids are returned."""
        if not transaction.get_connection(self.using).in_atomic_block:
            raise RuntimeError("PreparedRows.insert() belongs inside transaction.atomic()")
        positions = list(range(len(self.rows))) if keep is None else list(keep)
        if not positions:
            return []
        rows = [self.rows[i] for i in positions]
        ids = reserve_ids(self.model, len(rows), self.using)
        connection = connections[self.using]
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        names = [str(self.model._meta.pk.column)] + [str(f.column) for f in self.fields]
        columns = ", ".join(quote(c) for c in names)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for pk, row in zip(ids, rows, strict=True):
                        copy.write_row((pk, *row))
            else:
                placeholders = ", ".join(["%s"] * len(names))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
                for start in range(0, len(rows), BATCH):
                    end = start + BATCH
                    cursor.executemany(
                        sql,
                        [
                            (pk, *row)
                            for pk, row in zip(ids[start:end], rows[start:end], strict=True)
                        ],
                    )
        for i, pk in zip(positions, ids, strict=True):
            obj = self.objects[i]
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = self.using
        return ids


def reserve_ids(model: type[models.Model], count: int, using: str = "default") -> list[int]:
    """``count`` new primary keys for ``model``, inside the current transaction."""
    connection = connections[using]
    table = model._meta.db_table
    pk = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk)}), 0) FROM {quote(table)}")  # noqa: S608
        highest = int(cursor.fetchone()[0])
        # AUTOINCREMENT tables remember ids of deleted rows; never give one out again.
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
        )
        if cursor.fetchone():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            if row:
                highest = max(highest, int(row[0]))
    return list(range(highest + 1, highest + 1 + count))
