"""A stored framework version is parsed once: what it parses to is kept (framework_parsed)
and read back by later units of work, which then need neither YAML nor the file models.
Whatever is kept, a read gives the framework its document parses to."""

from __future__ import annotations

from sqlalchemy import func, select, update

from trellis.adapters import tables as t
from trellis.adapters.framework_files import framework_from_document
from trellis.adapters.store import SqlUnitOfWork
from trellis.bootstrap import Trellis
from trellis.domain.parsed_framework import PARSED_FORMAT


def version_id(trellis: Trellis) -> int:
    with trellis.engine.connect() as connection:
        return int(connection.scalar(select(func.max(t.framework_versions.c.id))))


def kept_rows(trellis: Trellis) -> list[tuple[int, str, str]]:
    fp = t.framework_parsed.c
    with trellis.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            select(fp.version_id, fp.format, fp.checksum).order_by(fp.version_id))]


def from_document(trellis: Trellis, vid: int):
    with trellis.engine.connect() as connection:
        fv = t.framework_versions.c
        return framework_from_document(
            connection.scalar(select(fv.document).where(fv.id == vid)))


def read_fresh(trellis: Trellis, vid: int, *, reading: bool):
    """The version as a unit of work with nothing parsed in memory reads it."""
    uow = SqlUnitOfWork(trellis.engine)
    with uow.reading() if reading else uow:
        found = uow.frameworks.catalog[vid]
        if not reading:
            uow.commit()
        return found


def forget_kept(trellis: Trellis) -> None:
    with trellis.engine.begin() as connection:
        connection.execute(t.framework_parsed.delete())


def test_a_writing_unit_of_work_keeps_what_a_version_parses_to(trellis):
    vid = version_id(trellis)
    forget_kept(trellis)
    read_fresh(trellis, vid, reading=True)
    assert kept_rows(trellis) == []  # a read keeps nothing: it may run on a replica
    framework = read_fresh(trellis, vid, reading=False)
    [(kept_id, kept_format, checksum)] = kept_rows(trellis)
    assert (kept_id, kept_format) == (vid, PARSED_FORMAT)
    with trellis.engine.connect() as connection:
        assert checksum == connection.scalar(select(t.framework_versions.c.checksum))
    assert framework == from_document(trellis, vid)
    # read back from what was kept, it is the framework the document parses to
    assert read_fresh(trellis, vid, reading=True) == from_document(trellis, vid)


def test_keeping_what_another_writer_kept_first_is_no_error(trellis):
    vid = version_id(trellis)
    framework = read_fresh(trellis, vid, reading=False)
    [(_, _, checksum)] = kept_rows(trellis)
    uow = SqlUnitOfWork(trellis.engine)
    with uow:  # as a writer that parsed it too, and keeps it after the first committed
        uow.frameworks.catalog._keep(vid, checksum, framework)
        uow.commit()
    assert len(kept_rows(trellis)) == 1


def test_a_kept_form_that_cannot_be_read_falls_back_to_the_document(trellis):
    vid = version_id(trellis)
    read_fresh(trellis, vid, reading=False)
    with trellis.engine.begin() as connection:
        connection.execute(update(t.framework_parsed).values(parsed='["Path", ["/etc"]]'))
    assert read_fresh(trellis, vid, reading=True) == from_document(trellis, vid)
    with trellis.engine.begin() as connection:
        connection.execute(update(t.framework_parsed).values(parsed="not json"))
    assert read_fresh(trellis, vid, reading=True) == from_document(trellis, vid)


def test_a_form_kept_by_code_of_another_shape_or_for_another_document_is_not_read(trellis):
    vid = version_id(trellis)
    read_fresh(trellis, vid, reading=False)
    tracks = '["Framework", ["k", "n", ["{}", []], ["{}", []], ["{}", []], ["{}", []], ' \
             '["{}", []]]]'  # a framework with nothing in it
    fp = t.framework_parsed.c
    for change in ({"format": "an older shape"}, {"checksum": "0" * 64}):
        with trellis.engine.begin() as connection:
            connection.execute(update(t.framework_parsed).values(parsed=tracks, **change))
        assert read_fresh(trellis, vid, reading=True) == from_document(trellis, vid)
        with trellis.engine.begin() as connection:
            connection.execute(t.framework_parsed.delete().where(fp.version_id == vid))
        read_fresh(trellis, vid, reading=False)  # kept again, as this code keeps it
