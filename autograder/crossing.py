"""What crosses between the grader and a student's process, and how: JSON with .npy blobs, never pickles.

One message is one ``Connection.send_bytes`` frame (the standard library's length-prefixed framing over a socket):
4 bytes giving the length of a JSON header, the header, then the .npy blobs it refers to. ``np.load`` runs with
``allow_pickle=False``, ``json`` builds only dicts, lists, strings and numbers: nothing a student's process sends
can make the grader run code.

Values are JSON trees; anything that is not a JSON scalar or a list is a tagged dict ``{"t": kind, ...}``:

| kind      | what it carries                                         | direction             |
|-----------|---------------------------------------------------------|-----------------------|
| npy       | an array of any non-object dtype, or a numpy scalar     | both                  |
| tuple     | a tuple                                                 | both                  |
| dict      | a dict, as [key, value] pairs (keys of any kind above)  | both                  |
| rng       | a ``np.random.Generator``, by its ``bit_generator.state``| both                  |
| fn        | a module-level function or class, by module and name    | grader -> student only|
| partial   | ``functools.partial`` of a crossing function            | grader -> student only|
| obj / ref | an instance of a class marked ``@by_state`` (its ``__dict__``), sent once per message and referred to by number after; a student's reply refers to the grader's own objects by those numbers, so identity survives the round trip | both (the grader accepts only marked classes) |
| method    | a bound method of such an object                        | grader -> student only|
| handle    | anything else the student's side holds: a number the grader uses to call it, read its attributes, apply operators; the object stays in the student's process | student -> grader |

The grader never turns a name sent by a student's process into a function: a function or class a student returns
is a handle, and calling it is a call into the student's process.
"""

import functools
import importlib
import io
import json
import struct

import numpy as np

MAX_MESSAGE = 64 * 1024 * 1024  # a reply larger than this is a hostile one
_HEAD = struct.Struct("!I")

BY_STATE = {}  # "module:qualname" -> class, for classes marked @by_state


class HandleBase:
    """What the grader holds for an object that stays in the student's process (``trusted.Handle``)."""

    __slots__ = ("_remote", "_number", "_type")


class Uncrossable(Exception):
    """A value that cannot cross in this direction, or a message that does not parse."""


def by_state(mutable=()):
    """Mark a grader-side class whose instances cross by state (their ``__dict__``), so that a check can hand one to
    a student's function: the student's process gets a copy. After the call the grader copies back the attributes
    named in ``mutable`` (what the student's function is meant to change, a node's ``grad`` say), and nothing
    else: a reply cannot rewrite what the check computes its expected answer from."""
    def mark(cls):
        cls.crossing_mutable = tuple(mutable)
        BY_STATE[_key(cls)] = cls
        return cls
    return mark


def _key(cls):
    return f"{cls.__module__}:{cls.__qualname__}"


def _crossing_class(cls):
    """The marked class an instance of ``cls`` crosses as: ``cls`` itself, or the nearest marked base (a grader's
    subclass crosses as the plain class the student's process holds, without its methods)."""
    return next((c for c in cls.__mro__ if _key(c) in BY_STATE and BY_STATE[_key(c)] is c), None)


# ------------------------------------------------------------------------------------------------ framing

def pack(header, blobs):
    head = json.dumps(header, separators=(",", ":")).encode()
    return b"".join([_HEAD.pack(len(head)), head, *blobs])


def unpack(data):
    """(header, [blob bytes]) of one frame; Uncrossable when it does not parse."""
    try:
        (size,) = _HEAD.unpack_from(data)
        if _HEAD.size + size > len(data):
            raise ValueError("short")
        header = json.loads(data[_HEAD.size:_HEAD.size + size])
    except (struct.error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise Uncrossable(f"a message that does not parse ({type(exc).__name__})") from None
    blobs, offset = [], _HEAD.size + size
    if not isinstance(header, dict) or not isinstance(header.get("blobs", []), list):
        raise Uncrossable("a message of the wrong shape")
    for length in header.get("blobs", []):
        if not isinstance(length, int) or length < 0 or offset + length > len(data):
            raise Uncrossable("a message whose blobs do not add up")
        blobs.append(data[offset:offset + length])
        offset += length
    return header, blobs


# ----------------------------------------------------------------------------------------------- encoding

class Encoder:
    """Turns one message's values into JSON trees and blobs. ``handles`` (the student's side only): a callback
    that files an object under a number and returns it; ``known``: {id(obj): number} of the grader's objects
    this reply may refer back to."""

    def __init__(self, handles=None, known=None, names=None):
        self.blobs, self.handles, self.known = [], handles, known or {}
        self.names = names or {}  # id(obj) -> the tree the grader sent it as (a function by name, say): sent back so
        self.named = {}  # (module, name) -> the function or class this encoder sent by name
        self.sent = {}  # id(obj) -> number, for @by_state objects of this message
        self.objects = []  # keeps them alive while the message is built (ids stay unique)

    def blob(self, data):
        self.blobs.append(data)
        return len(self.blobs) - 1

    def __call__(self, value):
        if value is None or isinstance(value, (bool, str)):
            return value
        if type(value) in (int, float):  # (not their subclasses: a numpy scalar crosses as .npy)
            return value
        if isinstance(value, (np.ndarray, np.generic)):
            arr = np.asarray(value)
            if not arr.dtype.hasobject:
                buf = io.BytesIO()
                np.save(buf, arr, allow_pickle=False)
                return {"t": "npy", "i": self.blob(buf.getvalue()), "scalar": isinstance(value, np.generic)}
        elif type(value) is tuple:
            return {"t": "tuple", "v": [self(v) for v in value]}
        elif type(value) is list:
            return [self(v) for v in value]
        elif type(value) is dict:
            return {"t": "dict", "v": [[self(k), self(v)] for k, v in value.items()]}
        elif isinstance(value, np.random.Generator):
            return {"t": "rng", "state": _plain(value.bit_generator.state)}
        elif _crossing_class(type(value)) is not None:
            return self.obj(value)
        elif isinstance(value, HandleBase):
            return {"t": "handle", "id": value._number}
        elif id(value) in self.names:
            return self.names[id(value)]
        if self.handles is not None:
            return {"t": "handle", "id": self.handles(value), "type": type(value).__name__[:80]}
        return self.by_name(value)

    def obj(self, value):
        if id(value) in self.known:
            return {"t": "ref", "id": self.known[id(value)], "old": True}
        if id(value) in self.sent:
            return {"t": "ref", "id": self.sent[id(value)]}
        number = self.sent[id(value)] = len(self.sent)
        self.objects.append(value)
        return {"t": "obj", "cls": _key(_crossing_class(type(value))), "id": number, "state": self(dict(vars(value)))}

    def by_name(self, value):
        """The grader's side: functions and classes by name, partials and bound methods of crossing objects."""
        if isinstance(value, functools.partial):
            return {"t": "partial", "fn": self(value.func), "args": self(tuple(value.args)),
                    "kwargs": self(dict(value.keywords))}
        if hasattr(value, "__self__") and hasattr(value, "__func__") and _crossing_class(type(value.__self__)):
            return {"t": "method", "of": self.obj(value.__self__), "name": value.__func__.__name__}
        module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", "")
        if callable(value) and module and "<" not in name:
            self.named[(module, name)] = value
            return {"t": "fn", "module": module, "name": name}
        raise Uncrossable(f"a {type(value).__name__} cannot be handed to a student's function")


def _plain(state):
    """A bit generator's state as JSON (ints and strings, nested dicts)."""
    if isinstance(state, dict):
        return {str(k): _plain(v) for k, v in state.items()}
    if isinstance(state, (np.integer,)):
        return int(state)
    if isinstance(state, np.ndarray):
        return {"t": "array", "v": state.tolist(), "dtype": str(state.dtype)}
    return state


def _unplain(state):
    if isinstance(state, dict):
        if state.get("t") == "array":
            return np.array(state["v"], dtype=state["dtype"])
        return {k: _unplain(v) for k, v in state.items()}
    return state


def encode(values, **options):
    """(JSON tree, blobs) of ``values``."""
    enc = Encoder(**options)
    return enc(values), enc.blobs


# ----------------------------------------------------------------------------------------------- decoding

class Decoder:
    """Turns a JSON tree and its blobs back into values.

    ``trusted=True`` is the grader reading a student's reply: no names become functions, only marked classes
    become objects, handles become ``proxy(number, type name)``; ``known`` {number: obj} are the objects the grader
    sent, which a reply refers back to. The student's side (``trusted=False``) resolves names and handles
    (``handles`` {number: obj})."""

    def __init__(self, blobs, trusted, known=None, proxy=None, handles=None, functions=None):
        self.blobs, self.trusted, self.known = blobs, trusted, known or {}
        self.proxy, self.handles = proxy, handles or {}
        self.functions = functions or {}  # the grader's side: (module, name) -> what it sent by that name itself
        self.made = {}  # number -> object built from this message
        self.names = {}  # the student's side: id(obj) -> the tree a function or partial came as

    def __call__(self, tree, depth=0):
        if depth > 200:
            raise Uncrossable("a value nested too deeply")
        if tree is None or isinstance(tree, (bool, int, float, str)):
            return tree
        if isinstance(tree, list):
            return [self(v, depth + 1) for v in tree]
        if not isinstance(tree, dict):
            raise Uncrossable("a value of an unknown kind")
        kind = tree.get("t")
        try:
            if kind == "npy":
                arr = _load_npy(self.blobs[tree["i"]])
                return arr[()] if tree.get("scalar") else arr
            if kind == "tuple":
                return tuple(self(v, depth + 1) for v in _list(tree["v"]))
            if kind == "dict":
                return {self(k, depth + 1): self(v, depth + 1) for k, v in _list(tree["v"])}
            if kind == "rng":
                bits = getattr(np.random, tree["state"]["bit_generator"])
                if not (isinstance(bits, type) and issubclass(bits, np.random.BitGenerator)):
                    raise Uncrossable("an unknown random generator")
                gen = bits()
                gen.state = _unplain(tree["state"])
                return np.random.Generator(gen)
            if kind == "ref":
                if tree.get("old"):
                    return self.known[tree["id"]]
                return self.made[tree["id"]]
            if kind == "obj":
                return self.obj(tree, depth)
            if kind == "handle":
                if not self.trusted:
                    return self.handles[tree["id"]]
                return self.proxy(int(tree["id"]), str(tree.get("type", "object"))[:80])
            if kind == "fn" and self.trusted and (tree["module"], tree["name"]) in self.functions:
                return self.functions[(tree["module"], tree["name"])]  # one the grader sent, coming back
            if not self.trusted:
                if kind == "fn":
                    value = importlib.import_module(tree["module"])
                    for part in tree["name"].split("."):
                        value = getattr(value, part)
                elif kind == "partial":
                    value = functools.partial(self(tree["fn"]), *self(tree["args"]), **self(tree["kwargs"]))
                elif kind == "method":
                    value = getattr(self(tree["of"]), tree["name"])
                else:
                    value = None
                if value is not None:
                    self.names[id(value)] = tree
                    return value
        except Uncrossable:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, ImportError, OverflowError,
                RecursionError) as exc:
            raise Uncrossable(f"a {kind!s:.20} value that does not decode ({type(exc).__name__})") from None
        raise Uncrossable(f"a value of kind {kind!s:.20} that may not cross here")

    def obj(self, tree, depth):
        cls = BY_STATE.get(tree["cls"])
        if cls is None:
            raise Uncrossable("an object of a class that may not cross")
        value = cls.__new__(cls)
        self.made[tree["id"]] = value
        state = self(tree["state"], depth + 1)
        if not isinstance(state, dict) or not all(isinstance(k, str) and not k.startswith("__") for k in state):
            raise Uncrossable("an object whose state is not a dict of attributes")
        vars(value).update(state)
        return value


def _load_npy(blob):
    """An array from .npy bytes (``allow_pickle`` never: object dtypes are refused), after checking that its header
    claims exactly the data the blob holds (np.load would allocate whatever size a hostile header names first). The
    parsed header is cached: the same few shapes and dtypes cross thousands of times."""
    version = bytes(blob[6:8])
    size_bytes = {b"\x01\x00": 2, b"\x02\x00": 4}[version]
    end = 8 + size_bytes + int.from_bytes(blob[8:8 + size_bytes], "little")
    shape, fortran, dtype = _npy_header(bytes(blob[:end]))
    count = int(np.prod(shape, dtype=object))
    if dtype.hasobject or count * dtype.itemsize != len(blob) - end:
        raise ValueError("an array header that does not match its data")
    arr = np.frombuffer(blob, dtype=dtype, count=count, offset=end).reshape(shape, order="F" if fortran else "C")
    return arr.copy(order="K")  # its own, writable memory


@functools.lru_cache(maxsize=4096)
def _npy_header(head):
    buf = io.BytesIO(head)
    version = np.lib.format.read_magic(buf)
    read_header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    return read_header[version](buf)


def _list(value):
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value
