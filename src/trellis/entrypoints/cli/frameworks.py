"""``trellis framework ...``: validate, load, list, show, schema, import-onet, and the
spreadsheet and CASE commands (import-csv, import-case, export)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from trellis.adapters.framework_files import (
    SHIPPED,
    dump_document,
    json_schema,
    locate_in_file,
    read_framework_file,
    resolve_framework_source,
)
from trellis.domain.framework import Framework
from trellis.errors import DatabaseError, FrameworkInvalid, NotFound
from trellis.services import frameworks as use

from .context import parse_date, state
from .output import console, errors, print_json, table

app = typer.Typer(help="Career frameworks: tracks, levels, roles, skill bands, competencies.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="framework")

Source = Annotated[str, typer.Argument(
    help=f"A YAML or JSON framework file, or a shipped one: {', '.join(SHIPPED)}.",
    metavar="FILE")]


@app.command()
def validate(source: Source) -> None:
    """Check a framework file and report every problem with its path and line."""
    path = resolve_framework_source(source)
    try:
        framework, _ = read_framework_file(path)
    except FrameworkInvalid as exc:
        for problem in exc.problems:
            errors.print(f"{problem}", highlight=False, soft_wrap=True, markup=False)
        n = len(exc.problems)
        errors.print(f"[bold red]error:[/] {escape(str(path))}: {n} problem{'s' * (n != 1)}",
                     highlight=False)
        raise typer.Exit(1) from None
    console.print(
        f"{path}: valid framework '{framework.key}': {len(framework.tracks)} tracks, "
        f"{len(framework.levels)} levels, {len(framework.roles)} roles, "
        f"{len(framework.bands)} skill bands, {len(framework.competencies)} competencies",
        highlight=False,
        markup=False,
    )


@app.command()
def load(
    ctx: typer.Context,
    source: Source,
    effective: Annotated[str | None, typer.Option(
        help="Date this version takes effect (default: today; a first version covers "
        "all of the past).", metavar="DATE")] = None,
    activate: Annotated[bool, typer.Option(help="Make it the organization's framework.")]
    = False,
) -> None:
    """Load a framework into the database as a new version (if it changed)."""
    path = resolve_framework_source(source)
    framework, document = read_framework_file(path)
    cli = state(ctx)
    try:
        loaded = use.load_framework(cli.open().uow(), framework, document,
                                    author=cli.settings.author,
                                    effective_from=parse_date(effective, "--effective"),
                                    activate=activate)
    except FrameworkInvalid as exc:  # its replaces, against the previous version
        raise locate_in_file(exc.problems, path) from None
    v = loaded.version
    what = f"loaded '{v.key}' version {v.version}" if loaded.changed else \
        f"'{v.key}' is unchanged (version {v.version})"
    console.print(what + (" [active]" if loaded.active else ""), highlight=False, markup=False)
    carry = loaded.carry
    if carry.events or carry.unchanged:
        console.print(f"carried evidence forward: {carry.events} derived "
                      f"event{'s' * (carry.events != 1)} for {carry.people} "
                      f"{_people(carry.people)}" + (f"; {carry.unchanged} "
                      f"{_people(carry.unchanged)} had nothing to carry" if carry.unchanged
                      else ""), highlight=False, markup=False)
    if carry.retired_people:
        n = carry.retired_people
        console.print(f"{n} {_people(n)} {'has' if n == 1 else 'have'} evidence on retired "
                      "items: it stays in their history "
                      "(see `trellis framework diff`)", highlight=False, markup=False)


def _people(n: int) -> str:
    return "person" if n == 1 else "people"


@app.command("list")
def list_(ctx: typer.Context, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The framework versions in the database."""
    versions, active = use.list_versions(state(ctx).open().uow())
    rows = [
        {"key": v.key, "version": v.version, "active": v.key == active,
         "effective_from": v.effective_from, "loaded_at": v.loaded_at, "author": v.author}
        for v in versions
    ]
    if json:
        print_json(rows)
        return
    table("Framework versions", ["key", "version", "active", "effective from", "loaded at",
                                 "author"],
          [[r["key"], r["version"], "yes" if r["active"] else "", r["effective_from"] or
            "always", r["loaded_at"], r["author"]] for r in rows])


@app.command()
def show(
    ctx: typer.Context,
    key: Annotated[str | None, typer.Argument(help="Framework key (default: the active one).")]
    = None,
    at: Annotated[str | None, typer.Option(help="The version in force on this date.")] = None,
    json: Annotated[bool, typer.Option("--json", help="The framework document as JSON.")]
    = False,
    yaml: Annotated[bool, typer.Option("--yaml", help="The framework document as YAML.")]
    = False,
) -> None:
    """Show a framework: its tracks, levels and roles (or the whole document)."""
    trellis = state(ctx).open()
    version, framework = use.framework_at(trellis.uow(), parse_date(at, "--at"), key)
    if json or yaml:
        document = use.framework_document(trellis.uow(), version.id)
        if json:
            print_json(document)
        else:
            console.out(dump_document(document), end="")
        return
    console.print(f"[bold]{escape(framework.name)}[/] ({framework.key} v{version.version})",
                  highlight=False)
    if framework.attribution:
        console.print(framework.attribution, style="dim", markup=False)
    table("Tracks", ["id", "name", "role type", "roles"],
          [[t.id, t.name, t.role_type.value, sum(1 for _ in framework.roles_of_track(t.id))]
           for t in framework.tracks.values()])
    table("Levels", ["rank", "id", "name"],
          [[lv.rank, lv.id, lv.name] for lv in framework.levels.values()])
    table("Skill bands", ["id", "name", "competencies"],
          [[b.id, b.name, ", ".join(b.competencies)] for b in framework.bands.values()])
    if len(framework.roles) <= 60:
        table("Roles", ["id", "title", "track", "level", "pay mid"],
              [[r.id, r.title, r.track, r.level,
                f"{r.pay_band.mid:,} {r.pay_band.currency}" if r.pay_band else ""]
               for r in framework.roles.values()])
    else:
        console.print(f"{len(framework.roles)} roles (use --json to see them all)")


@app.command()
def schema() -> None:
    """Print the JSON Schema of framework files."""
    print_json(json_schema())


@app.command("import-onet")
def import_onet(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="The O*NET database folder (text files).")],
    out: Annotated[Path | None, typer.Option(help="Write the framework to this YAML or JSON "
                                             "file (and only that, unless --load).")] = None,
    load: Annotated[bool, typer.Option("--load", help="With --out: load it too.")] = False,
    activate: Annotated[bool, typer.Option(help="Make it the organization's framework.")]
    = False,
) -> None:
    """Build a framework from the O*NET database and load it (attribution kept); with
    --out, write it to a file instead (--load: both)."""
    from trellis.adapters.onet import read_onet_framework

    framework, document = read_onet_framework(directory)
    if out is not None:
        fmt = "json" if out.suffix.lower() == ".json" else "yaml"
        out.write_text(dump_document(document, fmt), encoding="utf-8")
        console.print(f"wrote {out}", highlight=False, markup=False)
        if not (load or activate):  # a file alone needs no database
            return
    cli = state(ctx)
    loaded = use.load_framework(cli.open().uow(), framework, document,
                                author=cli.settings.author, activate=activate)
    console.print(
        f"loaded '{framework.key}' version {loaded.version.version}: {len(framework.roles)} "
        f"roles, {len(framework.tracks)} tracks, {len(framework.competencies)} competencies"
        + (" [active]" if loaded.active else ""),
        highlight=False,
        markup=False,
    )


# --- spreadsheets and CASE (issue 11): import-csv, import-case, export -----------------

OutFile = Annotated[Path | None, typer.Option(
    "--out", help="Write the framework to this file: YAML, or JSON for a .json name.",
    metavar="FILE")]
LoadIt = Annotated[bool, typer.Option("--load", help="Load it into the database as a new "
                                      "version (as `trellis framework load` does).")]
ActivateIt = Annotated[bool, typer.Option(help="Load it and make it the organization's "
                                          "framework.")]
Effective = Annotated[str | None, typer.Option(
    help="Date the loaded version takes effect (default: today; a first version covers all "
    "of the past).", metavar="DATE")]


@app.command("import-csv")
def import_csv(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV file: topic, level, criterion, example "
                                         "(and optionally track, id, proficiency).")],
    framework_id: Annotated[str | None, typer.Option(
        "--id", help="The framework's id (default: from the file's name).")] = None,
    name: Annotated[str | None, typer.Option(help="The framework's name (default: the "
                                             "file's name).")] = None,
    track: Annotated[list[str] | None, typer.Option(
        help="A track, as ID=Name (repeat for more; default: one named after the "
        "framework).", metavar="ID=NAME")] = None,
    levels: Annotated[str | None, typer.Option(
        help="The levels, lowest first (default: as they first appear).",
        metavar="L1,L2,...")] = None,
    into: Annotated[str | None, typer.Option(
        help="Add the file's topics to this framework file (or shipped framework) instead, "
        "replacing those of the same id or name.", metavar="FRAMEWORK")] = None,
    add_topics: Annotated[bool, typer.Option(help="With --into: add topics the framework "
                                             "lacks (otherwise each is an error).")] = False,
    out: OutFile = None,
    load: LoadIt = False,
    activate: ActivateIt = False,
    effective: Effective = None,
) -> None:
    """Build a criteria framework from a spreadsheet: one row a criterion."""
    from trellis.adapters.criteria_documents import slug
    from trellis.adapters.framework_csv import (
        checked_sheet_document,
        document_from_sheet,
        merged_into,
        read_sheet,
    )

    with _reported():
        sheet = read_sheet(file)
        if into is not None:
            if framework_id or name or track or levels:
                raise typer.BadParameter("--into keeps the framework's own id, name, tracks "
                                         "and levels: leave out --id, --name, --track and "
                                         "--levels", param_hint="--into")
            _, base = read_framework_file(resolve_framework_source(into))
            document, lines = merged_into(sheet, base, add_topics=add_topics)
            _note_dropped(base, document, into)
        else:
            document, lines = document_from_sheet(
                sheet, framework_id=framework_id or slug(file.stem, "framework"),
                name=name or file.stem, tracks=track or (),
                levels=[lv for lv in (levels or "").split(",") if lv.strip()])
        framework, document = checked_sheet_document(document, lines, str(file))
    _deliver(ctx, framework, document, out, load=load or activate, activate=activate,
             effective=effective)


@app.command("import-case")
def import_case(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A 1EdTech CASE 1.1 JSON package (CFDocument, "
                                         "CFItems, CFAssociations).")],
    out: OutFile = None,
    load: LoadIt = False,
    activate: ActivateIt = False,
    effective: Effective = None,
) -> None:
    """Build a criteria framework from CASE JSON (as `framework export --format case` writes)."""
    from trellis.adapters.framework_case import read_case_file

    with _reported():
        framework, document = read_case_file(file)
    _deliver(ctx, framework, document, out, load=load or activate, activate=activate,
             effective=effective)


@app.command("export")
def export(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Argument(
        help="A framework file or shipped framework (default: the active framework).",
        metavar="[FILE]")] = None,
    fmt: Annotated[str, typer.Option(
        "--format", help="csv: topic, level, criterion, example...; case: 1EdTech CASE 1.1 "
        "JSON.", metavar="csv|case")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of "
                                             "the standard output.", metavar="FILE")] = None,
) -> None:
    """Export a framework's criteria as a spreadsheet, or the framework as CASE JSON."""
    import sys
    from datetime import UTC, datetime

    from trellis.adapters.framework_case import case_text
    from trellis.adapters.framework_csv import sheet_text

    if fmt not in ("csv", "case"):
        raise typer.BadParameter(f"{fmt!r}: use csv or case", param_hint="--format")
    with _reported():
        if source is not None:
            path = resolve_framework_source(source)
            _, document = read_framework_file(path)
            changed = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        else:
            trellis = state(ctx).open()
            version, _ = use.framework_at(trellis.uow())
            document = use.framework_document(trellis.uow(), version.id)
            changed = version.loaded_at  # the version's time: the same version, the same file
        text = sheet_text(document) if fmt == "csv" else case_text(document, changed)
    if out is None:
        sys.stdout.write(text)
        return
    _write(out, text)
    console.print(f"wrote {out}", highlight=False, markup=False)


@contextmanager
def _reported() -> Iterator[None]:
    """Every problem of a refused file on its own line, then a summary; exit code 1."""
    try:
        yield
    except FrameworkInvalid as exc:
        for problem in exc.problems:
            errors.print(f"{problem}", highlight=False, soft_wrap=True, markup=False)
        n = len(exc.problems)
        where = f"{escape(exc.source)}: " if exc.source else ""
        errors.print(f"[bold red]error:[/] {where}{n} problem{'s' * (n != 1)}, nothing written",
                     highlight=False)
        raise typer.Exit(1) from None


def _note_dropped(base: dict[str, Any], merged: dict[str, Any], into: str) -> None:
    """Say which criteria a replaced topic loses: evidence of them stays in the ledger but
    no longer counts toward this framework."""
    def ids(document: dict[str, Any]) -> set[str]:
        return {c["id"] for t in document.get("topics", []) for c in t.get("criteria", [])}

    dropped = sorted(ids(base) - ids(merged))
    if dropped:
        shown = ", ".join(dropped[:10]) + (", ..." if len(dropped) > 10 else "")
        errors.print(f"note: {len(dropped)} criteria of {into} are not in the sheet and leave "
                     f"the framework: {shown}", highlight=False, soft_wrap=True, markup=False)


def _write(path: Path, text: str) -> None:
    from trellis.errors import TrellisError

    try:
        path.write_text(text, encoding="utf-8", newline="")  # CSV's own line ends, kept
    except OSError as exc:
        raise TrellisError(f"{path}: cannot write file: {exc.strerror or exc}") from None


def _deliver(ctx: typer.Context, framework: Framework, document: dict[str, Any],
             out: Path | None, *, load: bool, activate: bool, effective: str | None) -> None:
    """Write the checked framework to --out, load it, or (neither asked) print it."""
    from trellis.adapters.criteria_documents import framework_text  # reads back the same

    if out is not None:
        _write(out, framework_text(document, "json" if out.suffix.lower() == ".json"
                                   else "yaml"))
        console.print(f"wrote {out}", highlight=False, markup=False)
    if load:
        cli = state(ctx)
        loaded = use.load_framework(cli.open().uow(), framework, document,
                                    author=cli.settings.author,
                                    effective_from=parse_date(effective, "--effective"),
                                    activate=activate)
        v = loaded.version
        what = f"loaded '{v.key}' version {v.version}" if loaded.changed else \
            f"'{v.key}' is unchanged (version {v.version})"
        console.print(what + (" [active]" if loaded.active else ""), highlight=False,
                      markup=False)
    if out is None and not load:
        console.out(framework_text(document), end="", highlight=False)


# --- diff: what changed between two versions, and whose evidence it concerns


def _version_side(ctx: typer.Context, ref: str) -> tuple[str, Framework, Path | None]:
    """A framework to compare: a file, a shipped name, or KEY@VERSION (or KEY) stored in
    the database."""
    path = resolve_framework_source(ref)
    if path.exists():
        framework, _ = read_framework_file(path)
        return str(path), framework, path
    found = use.stored_version(state(ctx).open().uow(), ref)
    if found is None:
        raise NotFound(f"'{ref}' is not a framework file, a shipped framework "
                       f"({', '.join(SHIPPED)}) nor a framework in the database")
    version, framework = found
    return f"{version.key} v{version.version}", framework, None


@app.command()
def diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The older version: a file, a shipped name, or "
                                       "KEY@VERSION in the database.", metavar="OLD")],
    new: Annotated[str, typer.Argument(help="The newer version, the same ways.",
                                       metavar="NEW")],
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What changed between two framework versions (added, retired, renamed, split, merged,
    changed), and with a database, whose evidence it concerns."""
    old_label, old_fw, _ = _version_side(ctx, old)
    new_label, new_fw, new_path = _version_side(ctx, new)
    try:
        trellis = state(ctx).open()
    except DatabaseError:  # two files and no database: the changes alone
        trellis = None
    try:
        found = use.diff_versions(old_fw, new_fw, trellis.uow() if trellis else None,
                                  old_label)
    except FrameworkInvalid as exc:
        raise (locate_in_file(exc.problems, new_path) if new_path else exc) from None
    changes = found.diff.changes
    if json:
        print_json({
            "old": old_label, "new": new_label,
            "changes": [{"change": c.kind.value, "item": c.item.value, "old": list(c.old),
                         "new": list(c.new), "fields": list(c.fields),
                         "description": c.describe()} for c in changes],
            "affected": None if found.affected is None else [
                {"person": a.handle, "replaced": list(a.replaced), "retired": list(a.retired)}
                for a in found.affected]})
        return
    console.print(f"{old_label} -> {new_label}: {len(changes)} "
                  f"change{'s' * (len(changes) != 1)}", highlight=False, markup=False)
    for change in changes:
        console.print(f"  {change.describe()}", highlight=False, markup=False)
    if found.affected is None:
        return
    carried = [a for a in found.affected if a.replaced]
    kept = [a for a in found.affected if a.retired]
    console.print(f"{len(carried)} {_people(len(carried))} with evidence on replaced items "
                  "(carried forward when NEW is loaded); "
                  f"{len(kept)} with evidence on retired items (kept in history)",
                  highlight=False, markup=False)
    if found.affected:
        table("Evidence affected", ["person", "replaced items", "retired items"],
              [[a.handle, ", ".join(a.replaced), ", ".join(a.retired)]
               for a in found.affected])


# --- import-monzo: Monzo-shaped progression frameworks (trellis.adapters.monzo)


@app.command("import-monzo")
def import_monzo(
    ctx: typer.Context,
    sources: Annotated[list[Path], typer.Argument(
        help="Markdown files in Monzo's shape (front matter with topics): one a track.",
        metavar="SRC...")],
    framework_id: Annotated[str, typer.Option("--id", help="The framework's id.")],
    name: Annotated[str, typer.Option(help="The framework's name.")],
    out: Annotated[Path | None, typer.Option(help="Also write the framework to this YAML "
                                             "or JSON file.")] = None,
    licence: Annotated[Path | None, typer.Option(
        help="The source files' licence: its text becomes the attribution.")] = None,
    credit: Annotated[str | None, typer.Option(
        help="A line after the licence saying where the framework came from.")] = None,
    role_title: Annotated[list[str] | None, typer.Option(
        help="Who works on a track, as TRACK=TITLE (product=\"Product Manager\"); "
        "repeatable. Default: from the track's name.", metavar="TRACK=TITLE")] = None,
    activate: Annotated[bool, typer.Option(help="Make it the organization's framework.")]
    = False,
) -> None:
    """Build a criteria framework from Monzo-shaped files and load it."""
    from trellis.adapters.monzo import monzo_attribution, read_monzo_framework, to_yaml
    from trellis.errors import TrellisError

    titles: dict[str, str] = {}
    for pair in role_title or []:
        track, sep, title = pair.partition("=")
        if not sep or not track.strip() or not title.strip():
            raise TrellisError(f"--role-title '{pair}': use TRACK=TITLE")
        titles[track.strip()] = title.strip()
    attribution = ""
    if licence is not None:
        try:
            text = licence.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TrellisError(f"cannot read the licence {licence}: {exc}") from None
        attribution = monzo_attribution(text, credit or "")
    elif credit:
        attribution = credit
    framework, document = read_monzo_framework(
        sources, framework_id=framework_id, name=name, attribution=attribution,
        role_titles=titles)
    if out is not None:
        json_out = out.suffix.lower() == ".json"
        out.write_text(dump_document(document, "json") if json_out else to_yaml(document),
                       encoding="utf-8")
        console.print(f"wrote {out}", highlight=False, markup=False)
    cli = state(ctx)
    loaded = use.load_framework(cli.open().uow(), framework, document,
                                author=cli.settings.author, activate=activate)
    console.print(
        f"loaded '{framework.key}' version {loaded.version.version}: "
        f"{len(framework.tracks)} tracks, {len(framework.roles)} roles, "
        f"{len(document['topics'])} topics, "
        f"{sum(len(t['criteria']) for t in document['topics'])} criteria"
        + (" [active]" if loaded.active else ""),
        highlight=False,
        markup=False,
    )
