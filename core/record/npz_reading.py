"""Reading an untrusted .npz archive within a fixed memory budget, never trusting its declared sizes.

np.load inflates whatever an archive says: a member compressed with bzip2 or lzma inflates without
limit as soon as it is read, so a 1 KB file can take gigabytes. Here, in this order: the table of
contents is bounded before zipfile parses it; every member must be stored or deflated (the two
methods numpy writes) before any is inflated; each member is inflated in chunks, never past the
bytes its .npy header says it holds nor past what is left of the budget for the whole archive; and
the arrays are built from those bytes by hand, so nothing is ever unpickled.
"""

import io
import math
import struct
import zipfile
import zlib

import numpy as np

from core.reasons import Reason, Refusal

METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
END_RECORD = struct.Struct("<4s4H2LH")  # zipfile's end of central directory record
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's local file header
END_SIGNATURE, LOCAL_SIGNATURE, ZIP64_LOCATOR = b"PK\x05\x06", b"PK\x03\x04", b"PK\x06\x07"
ZIP64_LOCATOR_BYTES = 20
SEARCH_BYTES = 1 << 16  # zipfile looks this far before the end record for it (a comment's room)
DIRECTORY_BYTES_PER_MEMBER = 256  # 46 bytes plus the name; numpy writes no extra fields here
ENCRYPTED_OR_PATCHED = 0x0061  # general purpose flag bits 0, 5 and 6
MAX_HEADER_BYTES = 1024  # numpy writes 128-byte headers for these arrays; it refuses past 10,000
CHUNK_BYTES = 2**18


class NpzError(Refusal):
    """An archive refused for what it holds; its reason ends a sentence saying why."""


class NotPlainArrays(NpzError):
    """The archive is not a plain .npz of numeric or text arrays (or needs more than the budget)."""


class SizesDisagree(NpzError):
    """A member holds a different amount of data than its headers say: damaged or edited."""


class PickledArray(NpzError):
    """A member is an object array, which only unpickling could load."""

    def __init__(self, key):
        super().__init__("npz.object_array", key=repr(key))
        self.key = key


class BadZipFile(Refusal, zipfile.BadZipFile):
    """zipfile's own error, raised here with a reason: the archive's structure is damaged."""


def read_npz(content: bytes, max_members: int, max_bytes: int) -> dict:
    """Every array in the archive; raises NpzError or zipfile.BadZipFile, using under max_bytes."""
    _check_directory_size(content, max_members)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
    _check_members(members, max_members, max_bytes)
    arrays, left = {}, max_bytes
    for member in members:
        array = _read_array(_MemberStream(content, member), member.filename[:-4], left)
        if array is None:
            raise NotPlainArrays("npz.arrays_too_large", size=max_bytes // 2**20)
        left -= array.nbytes
        arrays[member.filename[:-4]] = array
    return arrays


# --- the archive's structure, all checked before anything is inflated ----------------------------


def _check_directory_size(content, max_members):
    """The table of contents, found as zipfile finds it, is small enough for max_members."""
    end = len(content) - END_RECORD.size
    if not (end >= 0 and content[end:end + 4] == END_SIGNATURE and content[-2:] == b"\x00\x00"):
        end = content.rfind(END_SIGNATURE, max(0, end - SEARCH_BYTES))
    record = content[end:end + END_RECORD.size] if end >= 0 else b""
    if len(record) != END_RECORD.size:
        raise BadZipFile("npz.end_missing")
    locator = end - ZIP64_LOCATOR_BYTES
    if locator >= 0 and content[locator:locator + 4] == ZIP64_LOCATOR:
        raise NotPlainArrays("npz.zip64", count=65_535)
    count, size = END_RECORD.unpack(record)[3:5]
    if count > max_members or size > max_members * DIRECTORY_BYTES_PER_MEMBER:
        if count > max_members:
            raise NotPlainArrays("npz.too_many_files", count=count, most=max_members)
        raise NotPlainArrays("npz.directory_too_large", size=size, most=max_members)


def _check_members(members, max_members, max_bytes):
    if not members:
        raise NotPlainArrays("npz.empty")
    if len(members) > max_members:
        raise NotPlainArrays("npz.too_many_files", count=len(members), most=max_members)
    names = set()
    for member in members:
        if not member.filename.endswith(".npy"):
            raise NotPlainArrays("npz.not_an_array", name=repr(member.filename))
        if member.filename in names:
            raise NotPlainArrays("npz.twice", name=repr(member.filename))
        names.add(member.filename)
        if member.compress_type not in METHODS:
            method = METHOD_NAMES.get(member.compress_type) or Reason("npz.method_number", number=member.compress_type)
            raise NotPlainArrays("npz.compressed_with", key=repr(member.filename[:-4]), method=method)
        if member.flag_bits & ENCRYPTED_OR_PATCHED:
            raise NotPlainArrays("npz.encrypted", key=repr(member.filename[:-4]))
    if sum(member.file_size for member in members) > max_bytes:
        raise NotPlainArrays("npz.unpacks_too_large", size=max_bytes // 2**20)


# --- one member ----------------------------------------------------------------------------------


def _read_array(stream, key, left):
    """The .npy array in one member if its header is sound; None if its data needs more than `left` bytes."""
    shape, fortran_order, dtype = _read_header(stream, key)
    if dtype.hasobject:
        raise PickledArray(key)
    if dtype.itemsize == 0 or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise NotPlainArrays("npz.impossible_header", key=repr(key), dtype=dtype, shape=shape)
    count = math.prod(shape)
    size = count * dtype.itemsize
    if size > stream.declared - stream.produced:
        raise SizesDisagree("npz.claims_more", key=repr(key), size=size, declared=stream.declared)
    if size > left:
        return None
    data = stream.read_exactly(size, key)
    stream.check_end(key)
    array = np.frombuffer(data, dtype=dtype, count=count)
    return array.reshape(shape[::-1]).transpose() if fortran_order else array.reshape(shape)


def _read_header(stream, key):
    """(shape, fortran_order, dtype) from the .npy header, refusing an over-long one before parsing."""
    magic = stream.read_exactly(np.lib.format.MAGIC_LEN, key)
    version = np.lib.format.read_magic(io.BytesIO(magic))
    if version not in ((1, 0), (2, 0)):
        raise NotPlainArrays("npz.array_format", key=repr(key), version=version)
    length_field = stream.read_exactly(2 if version == (1, 0) else 4, key)
    length = int.from_bytes(length_field, "little")
    if length > MAX_HEADER_BYTES:
        raise NotPlainArrays("npz.long_header", key=repr(key), length=length, most=MAX_HEADER_BYTES)
    header = io.BytesIO(length_field + stream.read_exactly(length, key))
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(header, max_header_size=MAX_HEADER_BYTES)
    return np.lib.format.read_array_header_2_0(header, max_header_size=MAX_HEADER_BYTES)


class _MemberStream:
    """A member's bytes read from the archive in memory; at most `n` bytes are inflated per read."""

    def __init__(self, content, member):
        start = _data_start(content, member)
        self.packed = memoryview(content)[start:start + member.compress_size]
        if len(self.packed) != member.compress_size:
            raise BadZipFile("npz.past_the_end", name=repr(member.filename))
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS) if member.compress_type == zipfile.ZIP_DEFLATED else None
        self.position = 0  # in the packed bytes
        self.produced = 0
        self.crc = 0
        self.declared = member.file_size
        self.expected_crc = member.CRC

    def read(self, n) -> bytes:
        """Up to n more bytes of the member (fewer only at its end)."""
        if self.inflater is None:
            data = bytes(self.packed[self.position:self.position + n])
            self.position += len(data)
        else:
            data = b""
            while len(data) < n and not self.inflater.eof:
                source = self.inflater.unconsumed_tail or self.packed[self.position:self.position + CHUNK_BYTES]
                if not self.inflater.unconsumed_tail:
                    self.position += len(source)
                if not source:
                    break
                data += self.inflater.decompress(source, n - len(data))
        self.produced += len(data)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def read_exactly(self, size, key) -> bytearray:
        data = bytearray(size)
        view, filled = memoryview(data), 0
        while filled < size:
            chunk = self.read(min(CHUNK_BYTES, size - filled))
            if not chunk:
                raise SizesDisagree("npz.ends_early", key=repr(key), size=size)
            view[filled:filled + len(chunk)] = chunk
            filled += len(chunk)
        return data

    def check_end(self, key):
        """Nothing follows the array, and the sizes and CRC-32 the archive declares are the true ones."""
        if self.read(1):
            raise SizesDisagree("npz.more_data", key=repr(key))
        if self.inflater is not None and not self.inflater.eof:
            raise BadZipFile("npz.cut_short", key=repr(key))
        if self.produced != self.declared:
            raise SizesDisagree("npz.holds_other", key=repr(key), produced=self.produced, declared=self.declared)
        if self.crc != self.expected_crc:
            raise BadZipFile("npz.bad_crc", key=repr(key))


def _data_start(content, member) -> int:
    """Where the member's data begins: after its local header, whose name must match the directory's."""
    header = content[member.header_offset:member.header_offset + LOCAL_HEADER.size]
    if len(header) != LOCAL_HEADER.size or header[:4] != LOCAL_SIGNATURE:
        raise BadZipFile("npz.local_header_missing", name=repr(member.filename))
    name_length, extra_length = LOCAL_HEADER.unpack(header)[-2:]
    start = member.header_offset + LOCAL_HEADER.size
    if content[start:start + name_length] != member.orig_filename.encode("utf-8" if member.flag_bits & 0x800 else "cp437"):
        raise BadZipFile("npz.local_header_other", name=repr(member.filename))
    return start + name_length + extra_length
