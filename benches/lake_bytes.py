#!/usr/bin/env python3
"""Where the bytes of Parquet lakes go: footers, page headers and page data, per column.

    python3 benches/lake_bytes.py LAKE [LAKE ...]

For each lake directory (the output of `normalog normalize --format parquet -o LAKE`), the
sum over its Parquet files of: the footers (the Thrift file metadata, its length and the
two magic numbers), the page headers, and the pages' data, then the data per column. With
two lakes of the same input (say `--partition hour` first, `--partition none` second), it
also prints the bound the first one's layout cannot go under without dropping what the
format requires: its own footers and page headers plus the second one's page data (as if
every small file's pages compressed as well as the large files' do), and how small the
first one's pages would have to be for its bytes to stay within 2x of the second one's
(issue 16's target for the hour layout).

Needs pyarrow (for the column chunks' offsets); the page headers are read from the files
(Thrift compact protocol, parsed here: pyarrow does not expose them).
"""
import collections
import pathlib
import sys

import pyarrow.parquet as pq


def varint(buf, pos):
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def skip(buf, pos, kind):
    """The position after a value of Thrift compact type `kind` starting at `pos`."""
    if kind in (1, 2):  # booleans: in the field header
        return pos
    if kind == 3:  # byte
        return pos + 1
    if kind in (4, 5, 6):  # i16, i32, i64: varints
        return varint(buf, pos)[1]
    if kind == 7:  # double
        return pos + 8
    if kind == 8:  # binary
        n, pos = varint(buf, pos)
        return pos + n
    if kind in (9, 10):  # list, set
        header = buf[pos]
        pos += 1
        n = header >> 4
        if n == 15:
            n, pos = varint(buf, pos)
        element = header & 15
        for _ in range(n):
            pos = pos + 1 if element in (1, 2) else skip(buf, pos, element)
        return pos
    if kind == 12:  # struct
        return struct_fields(buf, pos)[1]
    raise ValueError(f"Thrift type {kind} at {pos}")


def struct_fields(buf, pos):
    """The fields of the struct at `pos` as {id: (start, kind)}, and the position after it."""
    fields, last = {}, 0
    while True:
        header = buf[pos]
        pos += 1
        if header == 0:
            return fields, pos
        kind = header & 15
        if header >> 4:
            field = last + (header >> 4)
        else:
            raw, pos = varint(buf, pos)
            field = (raw >> 1) ^ -(raw & 1)
        last = field
        fields[field] = (pos, kind)
        pos = skip(buf, pos, kind)


def page_sizes(data, start, length):
    """(header bytes, page bytes) of the pages of a column chunk."""
    headers = pages = 0
    pos, end = start, start + length
    while pos < end:
        fields, after = struct_fields(data, pos)
        compressed_at, _ = fields[3]  # PageHeader.compressed_page_size
        raw, _ = varint(data, compressed_at)
        size = (raw >> 1) ^ -(raw & 1)
        headers += after - pos
        pages += size
        pos = after + size
    return headers, pages


def lake(root):
    totals = collections.Counter()
    columns = collections.Counter()
    for path in sorted(pathlib.Path(root).rglob("*.parquet")):
        if any(part.startswith(("_", ".")) for part in path.relative_to(root).parts):
            continue
        data = path.read_bytes()
        table = path.relative_to(root).parts[0]
        footer = int.from_bytes(data[-8:-4], "little")
        totals["files"] += 1
        totals["bytes"] += len(data)
        totals["footers"] += footer + 12
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for c in range(group.num_columns):
                chunk = group.column(c)
                start = chunk.data_page_offset
                if chunk.has_dictionary_page and chunk.dictionary_page_offset is not None:
                    start = min(start, chunk.dictionary_page_offset)
                headers, pages = page_sizes(data, start, chunk.total_compressed_size)
                totals["page headers"] += headers
                totals["page data"] += pages
                columns[f"{table}.{chunk.path_in_schema}"] += pages
    return totals, columns


def mb(n):
    return f"{n / 1e6:8.2f} MB"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    lakes = [(root, *lake(root)) for root in sys.argv[1:]]
    for root, totals, _ in lakes:
        print(f"{root}: {totals['files']} files, {mb(totals['bytes'])}")
        for part in ("footers", "page headers", "page data"):
            per_file = totals[part] / max(1, totals["files"])
            print(f"  {part:<13}{mb(totals[part])}  ({per_file:,.0f} bytes a file)")
    names = sorted(set().union(*(columns for _, _, columns in lakes)))
    print("\npage data by column:", "  ".join(root for root, _, _ in lakes))
    for name in names:
        print(f"  {name:<44}" + "".join(mb(columns[name]) for _, _, columns in lakes))
    if len(lakes) == 2:
        (_, small, _), (_, large, _) = lakes
        required = small["footers"] + small["page headers"]
        print(f"\nbytes / second lake's: {small['bytes'] / large['bytes']:.3f}x")
        print(f"floor of the first layout (its footers and page headers, the second's page "
              f"data): {mb(required + large['page data'])}, "
              f"{(required + large['page data']) / large['bytes']:.3f}x")
        room = 2 * large["bytes"] - required
        print(f"within 2x, the first one's page data may take {mb(room)}: "
              f"{room / large['page data']:.3f}x the second one's "
              f"(now {small['page data'] / large['page data']:.3f}x)")


if __name__ == "__main__":
    main()
