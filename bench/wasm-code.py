#!/usr/bin/env python3
"""What a wasm module's code is made of, by the Rust path its functions are named after.

Reads the module's name section (a build before wasm-opt and wasm-bindgen strip it: e.g.
`$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-small/hearth-gpu-worker.wasm`), groups the function
bodies by the first DEPTH segments of their mangled names (1: the crate that defines them; a
generic instance counts for the crate of its definition), and prints each group's code bytes
and, with --marginal, how many bytes gzip -9 of the whole code saves without the group — what
the group costs in the download, which raw bytes overstate for families of near-identical
instances. BENCHMARKS.md (issue 15, seventh part) used it to find the matmul routines.

Usage: python3 bench/wasm-code.py MODULE.wasm [DEPTH] [--only PREFIX] [--marginal] [--top N]
"""
import argparse
import collections
import re
import zlib


def leb128(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def functions(path):
    """(name, body) of every function defined in the module."""
    data = open(path, 'rb').read()
    at, imported, bodies, names = 8, 0, [], {}
    while at < len(data):
        section = data[at]
        size, at = leb128(data, at + 1)
        body = data[at:at + size]
        at += size
        if section == 2:  # imports: function indices start after the imported functions
            count, j = leb128(body, 0)
            for _ in range(count):
                for _ in range(2):
                    length, j = leb128(body, j)
                    j += length
                kind = body[j]
                j += 1
                if kind == 0:
                    _, j = leb128(body, j)
                    imported += 1
                elif kind in (1, 2):  # table (element type first) or memory: limits
                    j += kind == 1
                    flags = body[j]
                    _, j = leb128(body, j + 1)
                    if flags & 1:
                        _, j = leb128(body, j)
                elif kind == 3:
                    j += 2
                elif kind == 4:
                    _, j = leb128(body, j + 1)
        elif section == 10:
            count, j = leb128(body, 0)
            for _ in range(count):
                length, j = leb128(body, j)
                bodies.append(body[j:j + length])
                j += length
        elif section == 0:
            length, j = leb128(body, 0)
            if body[j:j + length] != b'name':
                continue
            j += length
            while j < len(body):
                kind = body[j]
                length, j = leb128(body, j + 1)
                if kind == 1:
                    k = j
                    count, k = leb128(body, k)
                    for _ in range(count):
                        index, k = leb128(body, k)
                        size, k = leb128(body, k)
                        names[index] = body[k:k + size].decode('utf-8', 'replace')
                        k += size
                j += length
    if not names:
        raise SystemExit(f'{path} has no function names: use the build before wasm-bindgen')
    return [(names.get(imported + i, ''), b) for i, b in enumerate(bodies)]


def segments(name):
    """The path segments of a legacy-mangled Rust name (`_ZN4core3fmt5write17h…E`)."""
    if not name.startswith('_ZN'):
        return ['(not Rust)']
    out, i = [], 3
    while i < len(name) and name[i].isdigit():
        j = i
        while name[j].isdigit():
            j += 1
        length = int(name[i:j])
        out.append(name[j:j + length])
        i = j + length
    if out and re.fullmatch(r'h[0-9a-f]{16}', out[-1]):
        out.pop()
    if out and out[0].startswith('_$LT$'):  # <Type as Trait>::f: the type's crate
        inner = re.sub(r'^(\$RF\$|\$BP\$|mut\$u20\$|const\$u20\$|dyn\$u20\$|\$u5b\$)+', '', out[0][5:])
        out[0] = re.split(r'\.\.|\$', inner)[0] or out[0]
    return out or ['(unnamed)']


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('module')
    parser.add_argument('depth', nargs='?', type=int, default=1)
    parser.add_argument('--only', default='', help='only paths starting with this')
    parser.add_argument('--marginal', action='store_true')
    parser.add_argument('--top', type=int, default=30)
    args = parser.parse_args()
    groups = collections.defaultdict(list)
    for name, body in functions(args.module):
        path = '::'.join(segments(name)[:args.depth])
        if path.startswith(args.only):
            groups[path].append(body)
    code = {path: b''.join(bodies) for path, bodies in groups.items()}
    whole = b''.join(code.values())
    gzip_whole = len(zlib.compress(whole, 9))
    print(f'{len(whole):,} B of code in {sum(map(len, groups.values())):,} functions, '
          f'{gzip_whole:,} B gzip')
    top = sorted(code, key=lambda path: -len(code[path]))[:args.top]
    for path in top:
        line = f'{len(code[path]):>11,} B {len(groups[path]):>7,} fns  {path}'
        if args.marginal:
            rest = b''.join(c for p, c in code.items() if p != path)
            line += f'   marginal gzip {gzip_whole - len(zlib.compress(rest, 9)):>9,} B'
        print(line)


if __name__ == '__main__':
    main()
