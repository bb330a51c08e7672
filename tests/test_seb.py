"""Safe Exam Browser's keys, computed as SEB computes them (``quizzes.seb``).

Golden values. Moodle's quizaccess_seb tests publish the Config Keys of their own
.seb files and build request hashes as SHA-256(URL + key). Their files are not
copied here: ``tests/fixtures/seb/`` holds our own, which test the same things
(plain and compressed files, nested dictionaries in arrays, case-insensitive key
order, ``originatorVersion`` left out, an empty dictionary left out, data and
dates). Each expected value below was computed apart from ``quizzes.seb``: the
canonical JSON was written out by hand from SEB's rules, and every hash is the
output of the command given next to it (coreutils ``sha256sum``).
"""

import gzip
from pathlib import Path
from types import SimpleNamespace

import pytest

from quizzes.seb import (
    CONFIG_KEY_HEADER,
    REQUEST_HASH_HEADER,
    SEB_FILE_MAX_BYTES,
    SebFileError,
    canonical_json,
    config_key,
    config_key_from_seb_file,
    parse_keys,
    request_allowed,
    request_hash,
    seb_link,
    seb_settings,
)

FIXTURES = Path(__file__).parent / "fixtures" / "seb"

# exam.seb's settings as SEB's JSON, written by hand: keys sorted
# case-insensitively (AllowQuit < allowWlan < allowWLAN < browserViewMode, the
# lower-case one first of two that differ only by case; startURL < URLFilterRules
# < zoomFactor), also inside the dictionaries of the arrays; originatorVersion
# and the empty dictionary unusedLegacyGroup left out, the empty array kept;
# <data>DEADBEEF</data> as Base64 ("3q2+7w=="), the <date> in ISO 8601 UTC, the
# real as 1.5; the quote escaped, the backslashes, slashes and "é" as they are.
EXAM_JSON = (
    '{"AllowQuit":false,"allowWlan":false,"allowWLAN":true,"browserViewMode":1,'
    '"embeddedCertificates":[{"certificateData":"3q2+7w==",'
    '"name":"Café \\"Nord\\" CA","type":0}],'
    '"examSessionStart":"2026-05-04T08:30:00+00:00",'
    '"hashedQuitPassword":'
    '"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",'
    '"prohibitedProcesses":[],'
    '"startURL":"https://quiz.example.org/quizzes/cardiology-final/",'
    '"URLFilterRules":[{"action":1,"active":true,'
    '"expression":"^https:\\/\\/quiz\\.example\\.org\\/.*$","regex":true}],'
    '"zoomFactor":1.5}'
)
# printf '%s' "$EXAM_JSON" | sha256sum
EXAM_CONFIG_KEY = "2220a38bca41e16d3586265352ea98b32b2919b65344843ffb2961e7fc3b20bf"
# printf '%s' 'bek-of-the-skills-lab-machines' | sha256sum (a made-up key)
BROWSER_EXAM_KEY = "6635bdc85686c53fe9a233e6ae3faf65314422a7ab93cc0d1819b2082ddd5b9c"
URL = "https://quiz.example.org/attempts/123/?q=4"
# printf '%s' "$URL$EXAM_CONFIG_KEY" | sha256sum
URL_CONFIG_KEY_HASH = "dbcb20d7d70110bafb67fb3049de091e4342b54baa3dbfa645a70f28f97e13d7"
# printf '%s' "https://quiz.example.org/attempts/123/?q=5$EXAM_CONFIG_KEY" | sha256sum
OTHER_PAGE_CONFIG_KEY_HASH = (
    "3df812ac7775355136bf74457b474d4243a592915d06211b2394537f9da52038"
)
# printf '%s' "$URL$BROWSER_EXAM_KEY" | sha256sum
URL_BROWSER_EXAM_KEY_HASH = (
    "8ee59026e91eb6894268a94493756b6570c6191f39a6c5768376fa706b981910"
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class TestConfigKey:
    def test_plain_seb_file_json_is_seb_canonical_json(self):
        """The settings serialise to SEB's JSON exactly as written out by hand."""
        settings = seb_settings(fixture("exam.seb"))
        del settings["originatorVersion"]
        assert canonical_json(settings) == EXAM_JSON

    def test_plain_seb_file_config_key_is_sha256_of_its_json(self):
        assert config_key_from_seb_file(fixture("exam.seb")) == EXAM_CONFIG_KEY

    def test_originator_version_does_not_change_the_config_key(self):
        """The SEB version that wrote the file is left out of the key."""
        assert config_key_from_seb_file(fixture("exam-no-originator.seb")) == (
            EXAM_CONFIG_KEY
        )

    @pytest.mark.parametrize("name", ["exam-compressed.seb", "exam-gzip-xml.seb"])
    def test_compressed_seb_file_has_the_same_config_key(self, name):
        """SEB's unencrypted form (gzip of "plnd" + gzip of the XML) and a gzipped
        XML give the key of the same settings in plain XML."""
        assert config_key_from_seb_file(fixture(name)) == EXAM_CONFIG_KEY

    def test_empty_settings_config_key_is_sha256_of_empty_object(self):
        """No settings (SEB's defaults): the key of "{}" (printf '%s' '{}' |
        sha256sum). Moodle's test gives 4f53cda1…, the hash of "[]": PHP encodes
        an empty array as a list, which is not SEB's JSON of a dictionary."""
        assert config_key({}) == (
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        )

    def test_key_order_ignores_case_and_puts_lower_case_first(self):
        """SEB's example: allowWlan comes before allowWLAN, and nested
        dictionaries are sorted too, whatever order the file has."""
        settings = {"b": {"Zeta": 1, "alpha": 2}, "allowWLAN": 1, "allowWlan": 0}
        assert canonical_json(settings) == (
            '{"allowWlan":0,"allowWLAN":1,"b":{"alpha":2,"Zeta":1}}'
        )

    def test_dictionary_of_empty_dictionaries_is_left_out(self):
        assert canonical_json({"a": {"b": {}}, "c": [{}, 1]}) == '{"c":[1]}'

    def test_file_order_does_not_change_the_key(self):
        assert config_key({"b": 1, "a": [True]}) == config_key({"a": [True], "b": 1})


class TestSebFileRefusals:
    def test_encrypted_seb_file_is_refused_with_what_to_do(self):
        with pytest.raises(SebFileError, match="encrypted with a settings password"):
            config_key_from_seb_file(fixture("encrypted.seb"))

    def test_malformed_plist_is_refused(self):
        with pytest.raises(SebFileError, match="could not be read"):
            config_key_from_seb_file(fixture("malformed.seb"))

    def test_file_that_is_not_a_plist_is_refused(self):
        with pytest.raises(SebFileError, match=r"not a \.seb file"):
            config_key_from_seb_file(b"%PDF-1.7 not settings")

    def test_plist_without_a_dictionary_at_the_top_is_refused(self):
        data = b'<?xml version="1.0"?><plist version="1.0"><array/></plist>'
        with pytest.raises(SebFileError, match="not a dictionary"):
            config_key_from_seb_file(data)

    @pytest.mark.parametrize(
        ("data", "problem"),
        [
            (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff", "damaged"),
            (fixture("exam-gzip-xml.seb")[:100], "cut short"),
        ],
    )
    def test_damaged_or_truncated_gzip_is_refused(self, data, problem):
        with pytest.raises(SebFileError, match=problem):
            config_key_from_seb_file(data)

    def test_gzip_bomb_is_refused_before_it_inflates(self):
        bomb = gzip.compress(b"<" + b" " * (SEB_FILE_MAX_BYTES + 10))
        assert len(bomb) < SEB_FILE_MAX_BYTES
        with pytest.raises(SebFileError, match="over 1024 KB"):
            config_key_from_seb_file(bomb)

    def test_refusal_is_a_value_error(self):
        assert issubclass(SebFileError, ValueError)


class TestRequestHash:
    def test_config_key_hash_is_sha256_of_url_and_key(self):
        assert request_hash(URL, EXAM_CONFIG_KEY) == URL_CONFIG_KEY_HASH

    def test_browser_exam_key_hash_is_sha256_of_url_and_key(self):
        assert request_hash(URL, BROWSER_EXAM_KEY) == URL_BROWSER_EXAM_KEY_HASH

    def test_another_page_gives_another_hash(self):
        """The query string is part of the URL hashed: a header cannot be replayed
        on another question's page."""
        other = URL.replace("q=4", "q=5")
        assert request_hash(other, EXAM_CONFIG_KEY) == OTHER_PAGE_CONFIG_KEY_HASH


def seb_quiz(**fields):
    values = {
        "seb_required": True,
        "seb_config_keys": "",
        "seb_browser_exam_keys": "",
        "seb_file_config_key": "",
    }
    return SimpleNamespace(**(values | fields))


class TestRequestAllowed:
    def test_quiz_without_seb_allows_any_request(self):
        quiz = seb_quiz(seb_required=False, seb_config_keys=EXAM_CONFIG_KEY)
        assert request_allowed(quiz=quiz, url=URL, headers={})

    def test_config_key_hash_of_this_url_is_allowed(self):
        quiz = seb_quiz(seb_config_keys=f"{'0' * 64}\n{EXAM_CONFIG_KEY.upper()}\n")
        headers = {CONFIG_KEY_HEADER: URL_CONFIG_KEY_HASH}
        assert request_allowed(quiz=quiz, url=URL, headers=headers)

    def test_uploaded_file_config_key_is_allowed(self):
        quiz = seb_quiz(seb_file_config_key=EXAM_CONFIG_KEY)
        headers = {CONFIG_KEY_HEADER: URL_CONFIG_KEY_HASH}
        assert request_allowed(quiz=quiz, url=URL, headers=headers)

    def test_browser_exam_key_hash_of_this_url_is_allowed(self):
        quiz = seb_quiz(seb_browser_exam_keys=BROWSER_EXAM_KEY)
        headers = {REQUEST_HASH_HEADER: URL_BROWSER_EXAM_KEY_HASH}
        assert request_allowed(quiz=quiz, url=URL, headers=headers)

    def test_hash_of_another_url_is_refused(self):
        quiz = seb_quiz(seb_config_keys=EXAM_CONFIG_KEY)
        headers = {CONFIG_KEY_HEADER: OTHER_PAGE_CONFIG_KEY_HASH}
        assert not request_allowed(quiz=quiz, url=URL, headers=headers)

    def test_config_key_hash_sent_as_request_hash_is_refused(self):
        """Each header is checked against its own kind of key."""
        quiz = seb_quiz(seb_config_keys=EXAM_CONFIG_KEY)
        headers = {REQUEST_HASH_HEADER: URL_CONFIG_KEY_HASH}
        assert not request_allowed(quiz=quiz, url=URL, headers=headers)

    def test_no_header_is_refused(self):
        quiz = seb_quiz(seb_config_keys=EXAM_CONFIG_KEY)
        assert not request_allowed(quiz=quiz, url=URL, headers={})

    def test_non_ascii_header_is_refused_not_an_error(self):
        quiz = seb_quiz(seb_config_keys=EXAM_CONFIG_KEY)
        headers = {CONFIG_KEY_HEADER: "é" * 64}
        assert not request_allowed(quiz=quiz, url=URL, headers=headers)


class TestParseKeys:
    def test_keys_one_a_line_are_lower_cased_and_blank_lines_skipped(self):
        text = f"  {EXAM_CONFIG_KEY.upper()} \n\n{BROWSER_EXAM_KEY}\n"
        assert parse_keys(text) == [EXAM_CONFIG_KEY, BROWSER_EXAM_KEY]

    def test_line_that_is_not_64_hex_digits_is_named(self):
        with pytest.raises(ValueError, match="Lines 2, 3: a key is 64 hexadecimal"):
            parse_keys(f"{EXAM_CONFIG_KEY}\nnot a key\n{EXAM_CONFIG_KEY[:-1]}")


def test_seb_link_swaps_the_scheme():
    """seb:// and sebs:// open an address in SEB (over HTTP and HTTPS)."""
    assert seb_link("https://q.example.org/x.seb") == "sebs://q.example.org/x.seb"
    assert seb_link("http://localhost:8000/x.seb") == "seb://localhost:8000/x.seb"
