"""The root command's subcommands, loaded only when one is run.

``trellis --help`` lists every command from the table below without importing any of them,
and ``trellis log`` imports the ledger's module only: a command module brings its use cases
(SQLAlchemy, the engines) and some bring the analysis libraries, so importing them all made
every start cost what the heaviest command needs. The one-line help of each entry is the
command's own (tests/cli/test_cli_start.py checks they agree).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, NamedTuple

import typer
import typer.main
from typer import _click as click
from typer.core import TyperCommand, TyperGroup, TyperOption

from .plain_values import read_param_plainly, read_plainly


class Entry(NamedTuple):
    module: str  # under trellis.entrypoints.cli; its register(app) adds the command
    help: str


# In the order `trellis --help` lists them: commands, then groups.
COMMANDS: dict[str, Entry] = {
    "log": Entry("ledger", "Record an event: a promotion, a micro-progression, a check-in or a "
                 "departure."),
    "retract": Entry("ledger", "Cancel an earlier event with a reason; the ledger keeps both."),
    "verify": Entry("ledger", "Vouch for an event's evidence (as TRELLIS_AUTHOR; not the "
                    "event's own author)."),
    "profile": Entry("profiles", "A person's state: role, pay, competency layers, duties, "
                     "recognition, progress."),
    "timeline": Entry("profiles", "Every event in order: promotions and micro-progressions "
                      "marked apart."),
    "checkin": Entry("plans", "Record a check-in; once the plan's quarter has ended (or "
                     "with --early), close it and\nre-plan what is left."),
    "readiness": Entry("readiness", "How ready a person is for a role: score, gates, gap list "
                       "and an explanation."),
    "pipeline": Entry("readiness", "Everyone's readiness for the next role of their track, "
                      "the most ready first."),
    "promote": Entry("readiness", "Record a promotion, refused with the gap list when a "
                     "readiness gate fails."),
    "layers": Entry("layers", "Competency layers: every competency's dated steps and the "
                    "criteria met per topic,\nquarter by quarter since the hire."),
    "paths": Entry("lattice", "The k best paths from a person's profile to a role, with the "
                   "steps before each move."),
    "explore": Entry("lattice", "Roles to move to, best fit first: lateral, diagonal, "
                     "vertical (and steps down with\n--down), each with its fit, why, and the "
                     "months of steps to get there."),
    "lattice": Entry("lattice", "Draw the lattice around a role or a person: the best-fitting "
                     "vertical, lateral and\ndiagonal moves (and steps down with --down)."),
    "import": Entry("transfer", "Import people and events; any bad row refuses the whole "
                    "file, listing every one."),
    "export": Entry("transfer", "Export every person and event; the file re-imports to the "
                    "same profiles."),
    "init": Entry("demo", "Create the database (or bring its schema up to date)."),
    "demo": Entry("demo", "Generate a realistic demo organization on the software-company "
                  "framework."),
    "simulate": Entry("simulate", "Simulate careers quarter by quarter under each strategy, "
                      "calibrated from the ledger."),
    "evidence": Entry("evidence", "Time in level, Cox models of promotion and departure, and "
                      "a promotion-propensity model."),
    "fragmentation": Entry("fragmentation", "People by fragmentation risk: duties in other "
                           "functions, expansions left unrecognized."),
    "recognize": Entry("recognition", "Recognize someone: kudos, an award or a spot bonus, on "
                       "the ledger."),
    "recognition": Entry("recognition", "Recognition cadence and gaps per person, alerts, and "
                         "how evenly it is spread."),
    "serve": Entry("serve", "Run the web service: JSON API under /api (docs at /docs, off in "
                   "production unless\nTRELLIS_API_DOCS=true) and the pages."),
    "audit": Entry("accounts", "The audit log: every write and every read of pay, newest "
                   "first."),
    "compare": Entry("compare", "Promotions against micro-progressions on seven features, "
                     "computed from the ledger."),
    "advise": Entry("compare", "A strategy mix for a person's career stage and role type, "
                    "why, and three next steps."),
    "report": Entry("report", "The organization report: comparison, evidence, simulations, "
                    "fragmentation,\nrecognition and the readiness pipeline, as one HTML "
                    "page."),
    "refresh": Entry("refresh", "Rebuild the organization models (calibration, effort, "
                     "evidence, comparison, ...)\nthat are stale: what was rebuilt and how "
                     "long it took."),
    "fairness": Entry("fairness", "Rates per group and impact ratios (four-fifths rule) of "
                      "promotions, ratings,\nrecognitions and raises, and readiness and "
                      "propensity at equal evidence."),
    "framework": Entry("frameworks", "Career frameworks: tracks, levels, roles, skill bands, "
                       "competencies."),
    "person": Entry("people", "People: who they are and who manages them."),
    "plan": Entry("plans", "Micro-promotion maps: nano-steps in quarterly milestones, "
                  "forecast."),
    "admin": Entry("accounts", "Accounts of the web service."),
    "review": Entry("reviews", "Review cycles: self, manager, peer and upward reviews."),
    "case": Entry("cases", "Promotion cases: nominate, comment, approve, decline, defer."),
    "comp": Entry("compensation", "Compensation cycles and raises that need an approver."),
    "calibrate": Entry("calibration", "Calibration sessions: a group's ratings against the "
                       "target distribution and a 9-box; every change recorded with who and "
                       "why."),
}


class LazyCommands(TyperGroup):
    """The root group: a command's module is imported when that command is looked up to
    run (or for its own --help); listing the commands for the root's help reads COMMANDS."""

    listing = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loaded: set[str] = set()
        for param in self.params:
            read_param_plainly(param)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        if self.listing:  # the root's help: the name and its line, nothing imported
            return TyperCommand(cmd_name, help=entry.help)
        self.load(entry.module)
        command = self.commands.get(cmd_name)
        if command is not None:
            read_plainly(command, ctx)
        return command

    def load(self, module: str) -> None:
        """Add every command ``module`` registers (a module registers one or a few)."""
        if module in self.loaded:
            return
        self.loaded.add(module)
        holder = typer.Typer()
        import_module(f"{__package__}.{module}").register(holder)
        for name, command in typer.main.get_group(holder).commands.items():
            self.commands[name] = command

    def load_all(self) -> None:
        """Every command (for tools that walk the tree: the docs test)."""
        for entry in COMMANDS.values():
            self.load(entry.module)

    def get_help_option(self, ctx: click.Context) -> TyperOption | None:
        option = super().get_help_option(ctx)  # the root's own --help: see plain_values
        if option is not None:
            read_param_plainly(option)
        return option

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False
