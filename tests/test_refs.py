from dataclasses import dataclass

import pytest

from tracker.errors import AmbiguousDocument, UnknownDocument, UnknownVersion
from tracker.refs import (
    check_version_ref,
    name_problem,
    normalize_name,
    resolve_document,
    resolve_version,
    split_range,
    version_at,
)

NAMES = [
    "000_fad7172ebc47f805.txt",
    "001_other.txt",
    "policies/terms.md",
    "policies/privacy.md",
    "notes/terms.txt",
]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("000_fad7172ebc47f805.txt", "000_fad7172ebc47f805.txt"),
        ("./000_fad7172ebc47f805.txt", "000_fad7172ebc47f805.txt"),
        ("000", "000_fad7172ebc47f805.txt"),
        ("000_fad7172ebc47f805", "000_fad7172ebc47f805.txt"),
        ("policies/terms.md", "policies/terms.md"),
        ("policies\\terms.md", "policies/terms.md"),
        ("privacy", "policies/privacy.md"),
        ("priv", "policies/privacy.md"),
        ("terms.md", "policies/terms.md"),
        ("notes/t", "notes/terms.txt"),
    ],
)
def test_resolve_document(query, expected):
    assert resolve_document(query, NAMES) == expected


def test_ambiguous_prefix_lists_candidates():
    with pytest.raises(AmbiguousDocument) as info:
        resolve_document("00", NAMES)
    assert str(info.value) == ("'00' matches 2 documents: 000_fad7172ebc47f805.txt, 001_other.txt")


def test_ambiguous_stem():
    with pytest.raises(AmbiguousDocument, match="notes/terms.txt, policies/terms.md"):
        resolve_document("terms", NAMES)


def test_unknown_document():
    with pytest.raises(UnknownDocument, match="no document matches 'zzz'"):
        resolve_document("zzz", NAMES)
    with pytest.raises(UnknownDocument, match="no documents are tracked yet"):
        resolve_document("a", [])


@dataclass
class V:
    version: int
    captured_at: str


VERSIONS = [
    V(1, "2026-01-01T10:00:00.000Z"),
    V(2, "2026-01-05T12:00:00.000Z"),
    V(3, "2026-01-05T18:30:00.000Z"),
    V(4, "2026-02-01T00:00:00.000Z"),
]


@pytest.mark.parametrize(
    "ref,expected",
    [
        ("v1", 1),
        ("3", 3),
        (2, 2),
        ("V4", 4),
        ("first", 1),
        ("latest", 4),
        ("HEAD", 4),
        ("head", 4),
        ("latest~1", 3),
        ("HEAD~3", 1),
        ("2026-01-05", 3),  # a bare date: the end of that day
        ("2026-01-05T12:00:00Z", 2),  # at or before
        ("2026-01-05T13:00", 2),
        ("2026-01-05T19:00:00+01:00", 2),  # 18:00 UTC, before v3 at 18:30
        ("2026-01-05T20:00:00+01:00", 3),  # 19:00 UTC
        ("2027-01-01", 4),
    ],
)
def test_resolve_version(ref, expected):
    assert resolve_version(ref, VERSIONS, "doc").version == expected


@pytest.mark.parametrize(
    "ref,message",
    [
        ("v9", "no version v9 of doc: doc has v1..v4"),
        ("0", "no version 0 of doc: doc has v1..v4"),
        ("latest~4", "latest~4: doc has v1..v4, only 3 before the latest"),
        ("2025-12-31", "doc has no version at or before 2025-12-31"),
        ("yesterday", "cannot read version 'yesterday'"),
        ("2026-13-45", "cannot read version '2026-13-45'"),
    ],
)
def test_resolve_version_errors(ref, message):
    with pytest.raises(UnknownVersion) as info:
        resolve_version(ref, VERSIONS, "doc")
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    "ref",
    [
        "v3",
        "3",
        "V12",
        "first",
        "latest",
        "HEAD",
        "latest~2",
        "head~0",
        "2026-01-05",
        "2026-01-05T10:00Z",
        " v3 ",
        "v999999",
    ],
)
def test_check_version_ref_accepts_every_form(ref):
    """Only the form: v999999 reads as a version, whether or not a document has it."""
    check_version_ref(ref)


@pytest.mark.parametrize(
    "ref", ["vv1", "v", "", "latest~", "latest~-1", "yesterday", "2026-13-45", "v1.5", "first~1"]
)
def test_check_version_ref_refuses_what_resolve_version_cannot_read(ref):
    with pytest.raises(ValueError, match=f"cannot read version {ref.strip()!r}: use v3"):
        check_version_ref(ref)
    with pytest.raises(UnknownVersion, match="cannot read version"):
        resolve_version(ref, VERSIONS, "doc")


def test_no_versions():
    with pytest.raises(UnknownVersion, match="doc has no versions"):
        resolve_version("latest", [], "doc")


def test_split_range():
    assert split_range("v1..v3") == ("v1", "v3")
    assert split_range("v2..") == ("v2", "latest")
    assert split_range("v2") is None


def test_date_picks_the_latest_in_time_when_times_go_backwards():
    # an imported history whose commit times are not monotonic: v2 is older than v1
    versions = [
        V(1, "2024-02-01T00:00:00.000Z"),
        V(2, "2024-01-01T00:00:00.000Z"),
        V(3, "2023-01-01T00:00:00.000Z"),
    ]
    assert resolve_version("2024-03-01", versions, "o").version == 1
    assert resolve_version("2024-01-15", versions, "o").version == 2
    assert resolve_version("2023-06-01", versions, "o").version == 3
    with pytest.raises(UnknownVersion, match=r"the earliest is v3, 2023-01-01"):
        resolve_version("2022-01-01", versions, "o")


# -- versions recorded at the same instant (hand-checked) -----------------------------------------

T0, T1, T2 = "2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z", "2024-01-03T00:00:00.000Z"


@pytest.mark.parametrize(
    "versions,ref,expected",
    [
        # the last one recorded at that instant: the highest number
        ([V(1, T0), V(2, T0)], "2024-01-01", 2),
        ([V(1, T0), V(2, T0), V(3, T0)], T0, 3),
        ([V(1, T0), V(2, T1), V(3, T1), V(4, T2)], "2024-01-02", 3),
        ([V(1, T0), V(2, T1), V(3, T1), V(4, T2)], "2024-01-02T00:00:00Z", 3),
        # in whatever order the list comes
        ([V(2, T0), V(1, T0)], "2024-01-01", 2),
        ([V(3, T1), V(1, T0), V(2, T1)], "2024-01-02", 3),
        # times going backwards: the latest in time at the date wins, not the highest number
        ([V(1, T2), V(2, T1), V(3, T0)], "2024-01-02", 2),
        ([V(1, T2), V(2, T1), V(3, T0)], "2024-01-01", 3),
        ([V(1, T2), V(2, T1), V(3, T0)], "2024-01-03", 1),
        # backwards and tied: the highest number among the latest in time
        ([V(1, T1), V(2, T0), V(3, T1), V(4, T0)], "2024-01-01", 4),
        ([V(1, T1), V(2, T0), V(3, T1), V(4, T0)], "2024-01-02", 3),
    ],
)
def test_version_at_a_date_with_same_time_versions(versions, ref, expected):
    assert resolve_version(ref, versions, "d").version == expected


def test_version_at_returns_none_before_the_first():
    assert version_at([V(1, T1), V(2, T1)], T0) is None
    assert version_at([], T0) is None
    assert version_at([V(1, T1)], T1).version == 1  # at the very instant: included


@pytest.mark.parametrize(
    "versions,message",
    [
        ([V(1, T1), V(2, T0), V(3, T0)], f"the earliest is v2, {T0}"),  # lowest number of a tie
        ([V(2, T0), V(1, T0)], f"the earliest is v1, {T0}"),
        ([V(1, T2), V(2, T1)], f"the earliest is v2, {T1}"),
    ],
)
def test_no_version_before_names_the_earliest(versions, message):
    with pytest.raises(UnknownVersion) as info:
        resolve_version("2023-12-31", versions, "d")
    assert str(info.value) == f"d has no version at or before 2023-12-31 ({message})"


# -- document names (hand-checked) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name,problem",
    [
        ("notes/a.txt", None),
        ("<script>alert(1)</script> & \"q\" 'a'.txt", None),  # markup and quotes are allowed
        ("a..b.txt", None),  # ".." inside a name is not a component
        (".hidden/a", None),
        ("", "an empty name is not allowed"),
        ("/etc/passwd", "absolute paths and '..' are not allowed"),
        ("\\etc\\passwd", "absolute paths and '..' are not allowed"),
        ("C:/x.txt", "absolute paths and '..' are not allowed"),
        ("c:x.txt", "absolute paths and '..' are not allowed"),
        ("a/../../b", "absolute paths and '..' are not allowed"),
        ("a\\..\\b", "absolute paths and '..' are not allowed"),
        ("a\x00b", "NUL and other control characters are not allowed"),
        ("a\nb", "NUL and other control characters are not allowed"),
        ("a\x7fb", "NUL and other control characters are not allowed"),
        ("a/./b", "'.' is not allowed as a path component"),
        (".", "'.' is not allowed as a path component"),
        ("a//b", "empty path components (a trailing or doubled '/') are not allowed"),
        ("a/", "empty path components (a trailing or doubled '/') are not allowed"),
    ],
)
def test_name_problem(name, problem):
    assert name_problem(name) == problem


@pytest.mark.parametrize(
    "query,name",
    [
        ("./a.txt", "a.txt"),
        ("././a.txt", "a.txt"),
        ("  a\\b.txt ", "a/b.txt"),
        (".a.txt", ".a.txt"),  # a dot that is no ./ stays
    ],
)
def test_normalize_name(query, name):
    assert normalize_name(query) == name


@pytest.mark.parametrize(
    "query,names,expected",
    [
        (".bashrc", ["x/.bashrc", "y/.profile"], "x/.bashrc"),  # by its file name
        ("archive.tar", ["archive.tar.gz"], "archive.tar.gz"),  # the stem drops one suffix
        ("b", ["a/b.txt", "b/c.txt"], "a/b.txt"),  # a stem beats a folder prefix
        ("not", ["notes/a.txt"], "notes/a.txt"),  # a prefix of the path
        ("a.t", ["x/a.txt"], "x/a.txt"),  # a prefix of the file name
    ],
)
def test_resolve_document_rules(query, names, expected):
    assert resolve_document(query, names) == expected


def test_empty_query_and_long_candidate_lists():
    with pytest.raises(UnknownDocument, match="^empty document name$"):
        resolve_document(" ./ ", NAMES)
    names = [f"doc{i}.txt" for i in range(10)]
    with pytest.raises(AmbiguousDocument) as info:
        resolve_document("doc", names)
    shown = ", ".join(f"doc{i}.txt" for i in range(8))
    assert str(info.value) == f"'doc' matches 10 documents: {shown} and 2 more"
    with pytest.raises(AmbiguousDocument) as info:
        resolve_document("doc", names[:8])
    assert str(info.value).endswith("doc7.txt")  # eight: all shown, no "more"


def test_split_range_ends():
    assert split_range("..v3") == ("first", "v3")
    assert split_range("..") == ("first", "latest")
    assert split_range("v1..v2..v3") == ("v1", "v2..v3")


@pytest.mark.parametrize(
    "ref,expected", [("latest~0", 4), (" v2 ", 2), ("FIRST", 1), ("Head~2", 2)]
)
def test_more_version_references(ref, expected):
    assert resolve_version(ref, VERSIONS, "doc").version == expected


def test_nine_candidates_name_eight_and_one_more():
    names = [f"doc{i}.txt" for i in range(9)]
    with pytest.raises(AmbiguousDocument) as info:
        resolve_document("doc", names)
    assert str(info.value).endswith("doc7.txt and 1 more")


@pytest.mark.parametrize(
    "query,names,expected",
    [
        ("c.txt", ["a/b/c.txt", "c.txt.bak/x"], "a/b/c.txt"),  # the last part of a deep path
        ("c", ["a/b/c.txt", "cc/d.txt"], "a/b/c.txt"),
        # the stem drops the last suffix only: "a.tar" is the stem of a.tar.gz alone
        ("a.tar", ["a.tar.gz", "a.tar.gz.bak"], "a.tar.gz"),
    ],
)
def test_file_names_and_stems_of_deep_paths(query, names, expected):
    assert resolve_document(query, names) == expected


def test_messages_whole():
    with pytest.raises(UnknownDocument) as info:
        resolve_document("zzz", NAMES)
    assert str(info.value) == "no document matches 'zzz'; `tracker docs` lists them"
    with pytest.raises(UnknownDocument) as info:
        resolve_document("a", [])
    assert str(info.value) == (
        "no document matches 'a' (no documents are tracked yet); `tracker docs` lists them"
    )
    with pytest.raises(UnknownVersion) as info:
        resolve_version("v9", VERSIONS)  # no document named: "document"
    assert str(info.value) == "no version v9 of document: document has v1..v4"


def test_two_files_of_the_same_name_are_ambiguous_whatever_else_matches():
    names = ["a/x.txt", "b/x.txt", "x.txt.bak"]  # x.txt.bak's stem is x.txt
    with pytest.raises(AmbiguousDocument) as info:
        resolve_document("x.txt", names)
    assert str(info.value) == "'x.txt' matches 2 documents: a/x.txt, b/x.txt"


def test_a_name_stored_decomposed_is_found_typed_composed() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "notes/café.txt")  # as a file named on macOS
    names = [decomposed, "notes/cafe.txt"]
    assert resolve_document("café", names) == decomposed
    assert resolve_document("notes/café.txt", names) == decomposed
    assert resolve_document("cafe", names) == "notes/cafe.txt"  # unaccented: the other one
    with pytest.raises(UnknownDocument):
        resolve_document("cafés", names)
