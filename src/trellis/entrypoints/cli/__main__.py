"""``trellis`` as the console script and ``python -m trellis.entrypoints.cli`` start it.

The collector is paused before anything is imported, and resumed, the objects of the start
frozen first, when the command begins its work (``app.root``): the imports make hundreds of
thousands of objects and almost no garbage, and collecting among them while they were made
cost a tenth of a short command's CPU. ``app.run`` then ends the process without a last
sweep. Tests call ``app.main`` instead, with the collector as it is.
"""

import gc


def run() -> None:
    gc.disable()
    from .app import run as run_command

    run_command()


if __name__ == "__main__":  # pragma: no cover
    run()
