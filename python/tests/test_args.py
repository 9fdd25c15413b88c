"""How the API reads its arguments: schemas as YAML text, the path "-", records passed as
str items of a list, iterators of lines, path objects whose `__fspath__` fails."""

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import normalog
from conftest import gen

EDIT = "schema: Custom.Edit\nfields:\n  - {name: user, type: string, required: true}\n"
VIEW = "schema: Custom.View\nfields:\n  - {name: page, type: string, required: true}\n"


def test_schema_texts_are_loaded():
    """Review finding: schemas could only be files (the Rust API has Registry::add_str);
    in Spark a schema had to be staged on every executor. `schema_texts=` takes a schema's
    YAML text or a list of them, beside `schemas=` and the built-in ones."""
    n = normalog.Normalizer(schema_texts=EDIT)
    assert n.log_types == ["Custom.Edit"]
    assert n.normalize(b'{"user":"ann"}\n').stats["normalized"] == {"Custom.Edit": 1}
    assert normalog.Normalizer(schema_texts=[EDIT, VIEW]).log_types == ["Custom.Edit", "Custom.View"]
    both = normalog.Normalizer(schema_texts=(EDIT,), builtin=True)
    assert both.log_types == ["Zendesk.Audit", "Zoom.Activity", "Zoom.Operation", "Custom.Edit"]


def test_schema_texts_beside_schema_files(tmp_path):
    view = tmp_path / "view.yml"
    view.write_text(VIEW)
    n = normalog.Normalizer(schemas=view, schema_texts=EDIT)
    assert n.log_types == ["Custom.View", "Custom.Edit"]
    # A log type in both is the library's error, as for two files.
    with pytest.raises(normalog.SchemaError, match="Custom.View"):
        normalog.Normalizer(schemas=view, schema_texts=VIEW)


def test_schema_text_errors_name_the_text():
    bad = "schema: Custom.Bad\nfields:\n  - {name: user, type: strnig}\n"
    with pytest.raises(normalog.SchemaError, match=r"schema_texts\[1\]:3"):
        normalog.Normalizer(schema_texts=[EDIT, bad])
    with pytest.raises(normalog.SchemaError, match=r"(?m)^schema_texts:3"):
        normalog.Normalizer(schema_texts=bad)
    with pytest.raises(ValueError, match=r"schema_texts=\[\] loads no schema"):
        normalog.Normalizer(schema_texts=[])
    with pytest.raises(TypeError, match=r"schema_texts must be .* not PosixPath \(schema files and directories go in schemas=\)"):
        normalog.Normalizer(schema_texts=Path("a.yml"))
    with pytest.raises(TypeError, match=r"schema_texts\[0\] is not YAML text \(str\).* not bytes"):
        normalog.Normalizer(schema_texts=[EDIT.encode()])


def test_yaml_text_given_as_schemas_points_to_schema_texts(tmp_path):
    """Review finding: YAML text passed as `schemas=` was read as a path, and the whole
    YAML was named in "cannot read the schema file"."""
    takes = r"is a str that holds a schema's YAML text, not a path: pass the text as schema_texts="
    with pytest.raises(TypeError, match="schemas " + takes):
        normalog.Normalizer(schemas=EDIT)
    path = tmp_path / "view.yml"
    path.write_text(VIEW)
    with pytest.raises(TypeError, match=r"schemas\[1\] " + takes):
        normalog.Normalizer(schemas=[path, EDIT])
    # A path is still a path, whatever its name.
    with pytest.raises(normalog.SchemaError, match="schema: nope.yml"):
        normalog.Normalizer(schemas=str(tmp_path / "schema: nope.yml"))


def test_dash_is_a_file_not_standard_input(cli, tmp_path):
    """Review finding: the path "-" read the process's standard input (the CLI's
    convention), not the file named `-`; in a notebook or a worker that is not the user's.
    Here standard input holds Zendesk.Audit records and the file `-` Zoom.Activity ones."""
    (tmp_path / "-").write_bytes(gen(cli, "-t", "Zoom.Activity", "-n", 4, "--seed", 71))
    stdin = gen(cli, "-t", "Zendesk.Audit", "-n", 5, "--seed", 72)
    code = ("import sys, normalog\n"
            "from pathlib import Path\n"
            "n = normalog.Normalizer()\n"
            "print(n.normalize('-').stats['normalized'], n.normalize(Path('-')).stats['normalized'])\n")
    p = subprocess.run([sys.executable, "-c", code], input=stdin, cwd=tmp_path,
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode().split("\n")[0] == "{'Zoom.Activity': 4} {'Zoom.Activity': 4}"


def test_a_list_of_record_strs_says_to_pass_bytes(tmp_path):
    """Review finding: a list of JSON strings (records from Kafka or an API) was read as
    paths: a FileNotFoundError listing records as file names. Each str item is looked at as
    a single str is."""
    n = normalog.Normalizer()
    records = ['{"email":"a@example.com","time":"2023-07-01T14:00:00Z"}',
               '{"email":"b@example.com","time":"2023-07-01T14:00:01Z"}']
    hint = r"pass records as bytes \(\"\\n\".join\(data\).encode\(\) for a list of them\)"
    with pytest.raises(TypeError, match=r"data\[0\] is a str, which is read as a path, but it holds records: " + hint):
        n.normalize(records)
    path = tmp_path / "a.ndjson"
    path.write_text(records[0] + "\n")
    for call in (n.normalize, n.rejects, n.iter_rejects):
        with pytest.raises(TypeError, match=r"data\[1\] is a str, .* holds records"):
            call((str(path), records[1]))
    # What the hint says works.
    assert n.normalize("\n".join(records).encode()).stats["normalized"] == {"Zoom.Activity": 2}
    # Paths are paths, one with a bracket too.
    odd = tmp_path / "[2024].json"
    odd.write_text(records[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert n.normalize([str(path), str(odd)]).stats["normalized"] == {"Zoom.Activity": 2}


def test_lines_of_an_iterator_or_a_list_of_bytes_say_how_to_pass_them():
    """Review s46-h2 LOW-4: a generator, an iterator or a list of bytes lines got a
    TypeError naming their type, with no word of what to do."""
    n = normalog.Normalizer()
    lines = [b'{"email":"a@example.com","time":"2023-07-01T14:00:00Z"}',
             b'{"email":"b@example.com","time":"2023-07-01T14:00:01Z"}']
    join = r'join records into one bytes object \(b"\\n"\.join\(lines\)\)'
    with pytest.raises(TypeError, match=r"not generator: " + join):
        n.normalize(line for line in lines)
    with pytest.raises(TypeError, match=r"not list_iterator: " + join):
        n.normalize(iter(lines))
    with pytest.raises(TypeError, match=r'data\[0\] is not a path .* but bytes: .*; records go in '
                                        r'one bytes object: b"\\n"\.join\(data\)'):
        n.normalize(lines)
    # What the hint says works.
    assert n.normalize(b"\n".join(lines)).stats["normalized"] == {"Zoom.Activity": 2}


def test_a_path_object_whose_fspath_fails_raises_its_own_error(tmp_path):
    """Review s46-h2 LOW-3: an os.PathLike whose __fspath__ raised (a lazy mount, a cloud
    path) was "not a path (str or os.PathLike)", its exception dropped; one giving bytes
    was the same."""

    class Denied:
        def __fspath__(self):
            raise PermissionError("no access to the mount")

    class AsBytes:
        def __init__(self, path):
            self.path = path

        def __fspath__(self):
            return bytes(self.path)

    n = normalog.Normalizer()
    path = tmp_path / "a.ndjson"
    path.write_bytes(b'{"email":"a@example.com","time":"2023-07-01T14:00:00Z"}\n')
    for data in (Denied(), [path, Denied()]):
        with pytest.raises(PermissionError, match="no access to the mount"):
            n.normalize(data)
    with pytest.raises(PermissionError, match="no access to the mount"):
        normalog.Normalizer(schemas=Denied())
    with pytest.raises(TypeError, match="AsBytes's __fspath__ gave bytes: normalog takes paths as str"):
        n.normalize(AsBytes(path))

    class Lazy:
        def __fspath__(self):
            return str(path)

    assert n.normalize(Lazy()).stats["normalized"] == {"Zoom.Activity": 1}


def test_schema_yaml_as_bytes_points_to_schema_texts():
    """Review s46-h3 LOW-5: a list of schemas' YAML as bytes got the hint for records
    (join them into one bytes object), which led to another TypeError."""
    with pytest.raises(TypeError, match=r"schemas\[0\] is not a path .* but bytes: .*; a schema's "
                                        r"YAML text goes in schema_texts= \(as a str\)"):
        normalog.Normalizer(schemas=[EDIT.encode()])
    with pytest.raises(TypeError, match=r"not bytes: a schema's YAML text goes in schema_texts="):
        normalog.Normalizer(schemas=EDIT.encode())
    assert normalog.Normalizer(schema_texts=[EDIT]).log_types == ["Custom.Edit"]
