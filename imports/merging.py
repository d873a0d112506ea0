"""How the imports' tables follow a merge of two records of the same person (see people.merge)."""

from people.merge import Export, Retention, move_rows, register


def register_relations():
    from imports.models import ImportedIdentity, ImportRow

    forth, back = move_rows(ImportRow, "person")
    register(ImportRow, "person", merge=forth, undo=back, export=Export.EXCLUDED, retention=Retention.ANONYMISED)
    forth, back = move_rows(ImportedIdentity, "person")
    register(ImportedIdentity, "person", merge=forth, undo=back, export=Export.EXCLUDED, retention=Retention.DELETED)
