"""Organization models as projections: fitted once per state of the ledger, then read.

An *organization model* is a fit over the whole ledger: the simulator's calibration, the
effort estimates, the evidence, the comparison table, the strategy effects advice quotes,
the moves the lattice learns from. Each is stored in ``org_models`` with the ledger
position it was computed at (``domain.org_models``), its parameters, its build time and the
code that built it; per-person use cases read it instead of refitting the organization.

``load`` decides, for one model (docs/strategy.md#organization-models):

- none stored (or stored by other code): build it now and store it;
- stored and current: read it (decoded once per process, ``DECODED`` kept);
- stored but stale on a small ledger (up to ``SYNC_EVENTS`` events: seconds to rebuild):
  rebuild it now, so teams and journals always read fresh figures;
- stored but stale and expensive: serve it as it is, with its "as of" date and how many
  events it is behind, and tell the unit of work's ``on_stale`` hook (the web service's
  background refresh); without a hook (the CLI) ``trellis refresh`` brings it up to date.

Payloads are pickles (zlib-compressed) read back by an unpickler that only builds
Trellis, numpy, pandas and standard-library types: the table is written by Trellis alone,
and a hand-written row cannot name any other callable.
"""

from __future__ import annotations

import io
import pickle
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, Generic, TypeVar

import orjson

from trellis.domain.days import day_words
from trellis.domain.org_models import ModelHeader, Position, events_behind, is_current
from trellis.errors import Busy

from . import clock
from .code_digest import code_digest
from .ledger_snapshot import LedgerSnapshot
from .unit_of_work import UnitOfWork

T = TypeVar("T")
SYNC_EVENTS = 100_000  # a stale model of a ledger this small is rebuilt in place
DECODED = 8  # decoded models kept per process
Build = Callable[[UnitOfWork, Mapping[str, Any], LedgerSnapshot], Any]


@dataclass(frozen=True)
class ModelKind(Generic[T]):
    """One organization model: how to build it, and what makes a stored one obsolete."""

    name: str
    format: int  # raise it when ``build`` changes what the model holds
    # Reads the ledger's events from the snapshot it is handed (of ``kinds`` at least),
    # anything else in units of work of its own.
    build: Callable[[UnitOfWork, Mapping[str, Any], LedgerSnapshot], T]
    # The analytics whose every change makes stored models obsolete (digested): the
    # modules that compute the model, not the use cases around ``build``.
    modules: tuple[str, ...]
    dated: bool = True  # it counts exposure up to today: stale the next day
    tolerance: float = 0.0  # see domain.org_models.is_current
    description: str = ""
    # What it holds, in the plural, for a note a reader sees ("the comparison's figures");
    # the name is the command line's
    reads_as: str = ""
    # The parameters a refresh builds it with, when they follow from the ledger (the
    # framework version in force); None: no parameters, and a refresh also rebuilds every
    # other parameter set it is stored with (options a user asked for).
    defaults: Callable[[UnitOfWork], dict[str, Any]] | None = None
    kinds: tuple[str, ...] = ()  # the event kinds ``build`` reads from the snapshot


@dataclass(frozen=True)
class Fitted(Generic[T]):
    value: T
    name: str
    params: Mapping[str, Any]
    as_of: date
    built_at: datetime
    build_seconds: float
    position: Position
    behind: int = 0  # events recorded since it was computed
    stale: bool = False
    rebuilt: bool = False  # computed by this call
    reads_as: str = ""  # ModelKind.reads_as

    def note(self) -> str | None:
        """What a reader should know of a stale model, in words (None when current)."""
        if not self.stale:
            return None
        what = self.reads_as or f"the {self.name} model's figures"
        events = "event" if self.behind == 1 else "events"
        return (f"{what[0].upper()}{what[1:]} are as of {day_words(self.as_of)}, "
                f"{self.behind:,} {events} behind the ledger, until the models are rebuilt")

    def to_document(self) -> dict[str, Any]:
        return {"model": self.name, "as_of": self.as_of, "built_at": self.built_at,
                "build_seconds": round(self.build_seconds, 3), "stale": self.stale,
                "events_behind": self.behind, "last_event_id": self.position.last_event}


def canonical(params: Mapping[str, Any] | None) -> str:
    return orjson.dumps(dict(params or {}), option=orjson.OPT_SORT_KEYS).decode()


CODEC = 1  # raise it when ``encode`` changes


@cache
def code_format(kind: ModelKind[Any]) -> str:
    """``kind.format``, the codec's and a digest of the code that builds the model."""
    return f"{kind.format}-{code_digest(str(CODEC), kind.modules)}"


# --- payloads

_SAFE_ROOTS = ("trellis", "numpy", "pandas", "datetime", "collections", "builtins",
               "copyreg", "_codecs", "decimal", "zoneinfo")
_UNSAFE_BUILTINS = frozenset({"eval", "exec", "compile", "open", "getattr", "setattr",
                              "delattr", "__import__", "input", "breakpoint", "globals",
                              "locals", "vars"})


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        root = module.split(".", 1)[0]
        if root not in _SAFE_ROOTS or (root == "builtins" and name in _UNSAFE_BUILTINS):
            raise pickle.UnpicklingError(f"{module}.{name} is not a model type")
        return super().find_class(module, name)


class _Compressing:
    """A file the pickler writes to, compressed as it goes: the whole uncompressed pickle
    (the evidence's snapshot table, some 100 MB at 55,000 people) is never held."""

    def __init__(self) -> None:
        self._zip = zlib.compressobj(1)
        self._parts: list[bytes] = []

    def write(self, data: Any) -> int:  # bytes, or a large array's pickle.PickleBuffer
        with memoryview(data) as view:
            self._parts.append(self._zip.compress(view))
            return view.nbytes

    def payload(self) -> bytes:
        self._parts.append(self._zip.flush())
        return b"".join(self._parts)


def encode(value: object) -> bytes:
    out = _Compressing()
    pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.payload()


def decode(payload: bytes) -> Any:
    return _Unpickler(io.BytesIO(zlib.decompress(payload))).load()


_decoded: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_decoded_lock = threading.Lock()


def _read(uow: UnitOfWork, head: ModelHeader) -> Any | None:
    """The stored value (None when it cannot be read back: then it is rebuilt)."""
    key = (head.name, head.params, head.format, head.built_at, head.position, head.size)
    with _decoded_lock:
        if key in _decoded:
            _decoded.move_to_end(key)
            return _decoded[key]
    with uow.reading():
        payload = uow.models.payload(head.name, head.params)
    if payload is None:
        return None
    try:
        value = decode(payload)
    except Exception:
        return None
    with _decoded_lock:
        _decoded[key] = value
        while len(_decoded) > DECODED:
            _decoded.popitem(last=False)
    return value


# --- reading and building


def load(uow: UnitOfWork, kind: ModelKind[T], params: Mapping[str, Any] | None = None
         ) -> Fitted[T]:
    """The model for the ledger as it stands (see the module's policy); call it outside a
    unit of work: it opens its own."""
    params = dict(params or {})
    key, fmt, today = canonical(params), code_format(kind), clock.today()
    with uow.reading():
        now = uow.models.position()
        head = uow.models.header(kind.name, key)
    if head is not None and head.format == fmt:
        current = is_current(head.position, head.as_of, now, today, dated=kind.dated,
                             tolerance=kind.tolerance)
        if current or now.last_event > SYNC_EVENTS:
            value = _read(uow, head)
            if value is not None:
                if not current and uow.on_stale is not None:
                    uow.on_stale()
                return Fitted(value, kind.name, params, head.as_of, head.built_at,
                              head.build_seconds, head.position,
                              events_behind(head.position, now), not current,
                              reads_as=kind.reads_as)
    return build(uow, kind, params)


def peek(uow: UnitOfWork, kind: ModelKind[T], params: Mapping[str, Any] | None = None
         ) -> T | None:
    """The stored model of any age, read inside an open unit of work (a write that needs
    one cannot open its own); None when this code stored none."""
    key = canonical(params)
    head = uow.models.header(kind.name, key)
    if head is None or head.format != code_format(kind):
        return None
    payload = uow.models.payload(kind.name, key)
    try:
        return None if payload is None else decode(payload)
    except Exception:
        return None


def build(uow: UnitOfWork, kind: ModelKind[T], params: Mapping[str, Any] | None = None,
          shared: tuple[Position, LedgerSnapshot] | None = None) -> Fitted[T]:
    """Fit the model now and store it with the position read before the fit (events
    recorded during it make it stale, never falsely current). ``shared``: a snapshot of
    the ledger that a refresh pass reads once for every model, with the position read
    before it; without it the model reads a snapshot of its own kinds."""
    params = dict(params or {})
    as_of, started = clock.today(), time.perf_counter()
    if shared is None:
        with uow.reading():
            at = uow.models.position()
            ledger = LedgerSnapshot(uow, kind.kinds)
    else:
        at, ledger = shared
    value = kind.build(uow, params, ledger)
    del ledger
    seconds = time.perf_counter() - started
    built_at = clock.now()
    payload = encode(value)
    try:
        with uow:
            uow.models.put(kind.name, canonical(params), code_format(kind), at, as_of,
                           built_at, seconds, payload)
            uow.commit()
    except Busy:
        pass  # a writer holds the database: the model is still good for this answer
    return Fitted(value, kind.name, params, as_of, built_at, seconds, at, rebuilt=True,
                  reads_as=kind.reads_as)


@dataclass(frozen=True, slots=True)
class Refreshed:
    name: str
    params: str
    rebuilt: bool
    seconds: float  # of this rebuild, or of the stored one's build
    position: Position
    size: int = 0  # bytes stored

    def to_document(self) -> dict[str, Any]:
        return {"model": self.name, "params": orjson.loads(self.params),
                "rebuilt": self.rebuilt, "seconds": round(self.seconds, 3),
                "last_event_id": self.position.last_event, "bytes": self.size}


def refresh(uow: UnitOfWork, kinds: Sequence[ModelKind[Any]], *, force: bool = False,
            progress: Callable[[str], None] | None = None) -> list[Refreshed]:
    """Rebuild every stale model (every one with ``force``): each kind with its default
    parameters and with any other parameters it is stored with. The ledger is read once,
    for every model rebuilt (``LedgerSnapshot``), and let go at the end of the pass."""
    today = clock.today()
    with uow.reading():
        now = uow.models.position()
        stored = {(h.name, h.params): h for h in uow.models.headers()}
    done: list[Refreshed | tuple[ModelKind[Any], str, ModelHeader | None]] = []
    for kind in kinds:
        fmt = code_format(kind)
        variants = ({canonical(kind.defaults(uow))} if kind.defaults is not None else
                    {canonical({})} | {p for n, p in stored if n == kind.name})
        for key in sorted(variants):
            head = stored.get((kind.name, key))
            if not force and head is not None and head.format == fmt and is_current(
                    head.position, head.as_of, now, today, dated=kind.dated,
                    tolerance=kind.tolerance):
                done.append(Refreshed(kind.name, key, False, head.build_seconds,
                                      head.position, head.size))
            else:
                done.append((kind, key, head))
    todo = [d for d in done if not isinstance(d, Refreshed)]
    if not todo:
        return [d for d in done if isinstance(d, Refreshed)]
    with uow.reading():  # the position before the read: later events make them stale
        at = uow.models.position()
        ledger = LedgerSnapshot(uow, {k for kind, _, _ in todo for k in kind.kinds})
    out: list[Refreshed] = []
    for d in done:
        if isinstance(d, Refreshed):
            out.append(d)
            continue
        kind, key, head = d
        if progress is not None:
            progress(kind.name)
        fitted = build(uow, kind, orjson.loads(key), (at, ledger))
        with uow.reading():
            size = (uow.models.header(kind.name, key) or head)
        out.append(Refreshed(kind.name, key, True, fitted.build_seconds,
                             fitted.position, size.size if size else 0))
    return out


def stored_models(uow: UnitOfWork) -> list[ModelHeader]:
    with uow.reading():
        return uow.models.headers()


@dataclass
class BackgroundRefresh:
    """Runs refresh passes in a thread of their own, never in a request: ``schedule`` wakes
    it (many calls while a pass runs make one more pass, not many). ``run`` is one pass:
    the web service runs ``trellis refresh`` in a process of its own, so that a rebuild's
    memory and CPU never weigh on the worker's requests."""

    run: Callable[[], None]
    on_error: Callable[[BaseException], None] | None = None
    passes: int = 0
    _wake: threading.Event = field(default_factory=threading.Event)
    _stopping: bool = False
    _running: bool = False
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def schedule(self) -> None:
        with self._lock:
            if self._stopping:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="trellis-models",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._stopping:
                return
            self._running = True
            self._wake.clear()
            try:
                self.run()
            except Exception as exc:
                if self.on_error is not None:
                    self.on_error(exc)
            finally:
                self.passes += 1
                self._running = False

    def idle(self, timeout: float = 60.0) -> bool:
        """Wait until no pass is running or pending (for tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._thread is not None and (self._wake.is_set() or self._running):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            self._stopping = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout)
