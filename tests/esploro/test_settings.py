"""Settings resolution: precedence, profiles, the keyring, file permissions, writing profiles.

The keyring is the real `keyring` API with an in-memory backend installed for each test, so no
test reads (or depends on) the keyring of the machine it runs on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from hypothesis import strategies as st

from sheetsync.errors import ConfigError
from sheetsync.esploro.settings import (
    SANDBOX_BASE_URL,
    Settings,
    display_path,
    find_running_sandbox,
    forget_running_sandbox,
    record_running_sandbox,
    resolve_settings,
    running_sandboxes_dir,
)
from sheetsync.sandbox import DEFAULT_PORT, READ_WRITE_KEY
from tests.conftest import start_sandbox

NA = "https://api-na.hosted.exlibrisgroup.com"
EU = "https://api-eu.hosted.exlibrisgroup.com"
AP = "https://api-ap.hosted.exlibrisgroup.com"
CA = "https://api-ca.hosted.exlibrisgroup.com"

CONFIG = """\
default_profile = "prod"

[profiles.prod]
region = "eu"
api_key = "file-prod-key"
rate = 5

[profiles.test]
base_url = "https://test.example.org/"
api_key = "file-test-key"
workers = 2
quota_floor = 50

[profiles.nokey]
region = "ap"
"""


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps its passwords in a dict."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def own_state_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Running sandboxes are looked up in a state directory of the test's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    path.chmod(0o600)
    return path


def resolve(config_file: Path, env: dict[str, str] | None = None, **options: Any) -> Settings:
    return resolve_settings(env=env or {}, config_path=config_file, **options)


KEY, REGION, URL, PROFILE = (
    "ESPLORO_API_KEY",
    "ESPLORO_REGION",
    "ESPLORO_BASE_URL",
    "SHEETSYNC_PROFILE",
)
GW, TEST = "https://gw.example", "https://test.example.org"

# (options, env, base_url, key, key source contains, profile)
PRECEDENCE = [
    ({}, {}, EU, "file-prod-key", "profile 'prod' in", "prod"),
    ({}, {KEY: "env-key"}, EU, "env-key", f"environment variable {KEY}", "prod"),
    ({"api_key": "arg-key"}, {KEY: "env-key"}, EU, "arg-key", "the api_key argument", "prod"),
    ({}, {PROFILE: "test"}, TEST, "file-test-key", "profile 'test'", "test"),
    ({"profile": "prod"}, {PROFILE: "test"}, EU, "file-prod-key", "profile 'prod'", "prod"),
    ({}, {REGION: "ap"}, AP, "file-prod-key", "profile 'prod'", "prod"),
    ({}, {URL: f"{GW}/esploro/v1/", REGION: "ap"}, GW, "file-prod-key", "profile", "prod"),
    ({"region": "ca"}, {URL: GW}, CA, "file-prod-key", "profile", "prod"),
    ({"region": "ca", "base_url": f"{GW}/"}, {}, GW, "file-prod-key", "profile", "prod"),
    ({"region": "CA"}, {REGION: "ap"}, CA, "file-prod-key", "profile", "prod"),
]


@pytest.mark.parametrize(("options", "env", "base_url", "key", "source", "profile"), PRECEDENCE)
def test_precedence(
    config_file: Path,
    options: dict[str, Any],
    env: dict[str, str],
    base_url: str,
    key: str,
    source: str,
    profile: str,
) -> None:
    settings = resolve(config_file, env, **options)
    assert (settings.base_url, settings.api_key, settings.profile) == (base_url, key, profile)
    assert source in settings.key_source
    assert settings.warnings == ()


def test_tuning_comes_from_options_then_profile_then_defaults(config_file: Path) -> None:
    prod = resolve(config_file)
    assert (prod.rate, prod.workers, prod.quota_floor) == (5.0, 8, 1000)
    test = resolve(config_file, profile="test")
    assert (test.rate, test.workers, test.quota_floor) == (10.0, 2, 50)
    forced = resolve(config_file, profile="test", rate=2.5, workers=4, quota_floor=0)
    assert (forced.rate, forced.workers, forced.quota_floor) == (2.5, 4, 0)
    assert isinstance(forced.workers, int) and isinstance(forced.rate, float)


def test_key_source_names_the_file(config_file: Path) -> None:
    assert resolve(config_file).key_source == f"profile 'prod' in {display_path(config_file)}"
    assert display_path(Path.home() / ".config" / "x.toml") == "~/.config/x.toml"


def test_sandbox_ignores_environment_and_profiles(config_file: Path) -> None:
    env = {"ESPLORO_API_KEY": "prod-key", "ESPLORO_BASE_URL": "https://prod.example"}
    settings = resolve(config_file, env, sandbox=True)
    assert settings.base_url == f"http://127.0.0.1:{DEFAULT_PORT}"
    assert (settings.api_key, settings.key_source) == (READ_WRITE_KEY, "sandbox")
    own = resolve(config_file, env, sandbox=True, api_key="ro", base_url="http://127.0.0.1:9")
    assert (own.base_url, own.api_key, own.key_source) == (
        "http://127.0.0.1:9",
        "ro",
        "the api_key argument",
    )


def test_keyring_is_the_last_resort(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("sheetsync", "default", "ring-key")
    settings = resolve(tmp_path / "absent.toml")
    assert (settings.api_key, settings.base_url, settings.profile) == ("ring-key", NA, None)
    assert settings.key_source.startswith("keyring")
    env_wins = resolve(tmp_path / "absent.toml", {"ESPLORO_API_KEY": "env-key"})
    assert env_wins.api_key == "env-key"


def test_keyring_entry_is_named_after_the_profile(
    config_file: Path, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password("sheetsync", "nokey", "ring-nokey")
    memory_keyring.set_password("sheetsync", "default", "ring-default")
    settings = resolve(config_file, profile="nokey")
    assert (settings.api_key, settings.base_url) == ("ring-nokey", AP)


def test_no_key_anywhere_lists_every_place_in_order(config_file: Path) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # as on a server without a keyring
    with pytest.raises(ConfigError) as caught:
        resolve(config_file, {"SHEETSYNC_PROFILE": "nokey"})
    message = str(caught.value)
    places = ["ESPLORO_API_KEY", "config file", "keyring"]
    positions = [message.index(place) for place in places]
    assert positions == sorted(positions)
    assert "profile 'nokey' has no api_key" in message
    assert "no usable keyring" in message
    assert "export ESPLORO_API_KEY" in message and "chmod 600" in message
    assert "file-prod-key" not in message and "file-test-key" not in message
    assert "--api-key" not in message  # no such option, on purpose (shell history)
    assert "[profiles.NAME]" in message


def test_no_key_without_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        resolve(tmp_path / "absent.toml")


def test_unknown_profile_lists_the_profiles_present(config_file: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(config_file, profile="staging")
    assert "staging" in str(caught.value)
    assert "prod, test, nokey" in str(caught.value)
    with pytest.raises(ConfigError, match="SHEETSYNC_PROFILE"):
        resolve(config_file, {"SHEETSYNC_PROFILE": "nope"})


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.prod]\nregion = "eu"\napi_key = oops\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        resolve(path)
    assert str(path) in str(caught.value)
    assert "line 3" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[profiles.p]\napi_key = "k"\nrate = -1\n', "rate must be a positive number"),
        ('[profiles.p]\napi_key = "k"\nworkers = "8"\n', "workers must be a whole number"),
        ('[profiles.p]\napi_key = "k"\nquota_floor = 1.5\n', "quota_floor must be a whole"),
        ('[profiles.p]\napi_key = "k"\nregion = "mars"\n', "unknown region 'mars'"),
        ('[profiles.p]\napi_key = "k"\nbase_url = "ftp://x"\n', "must be an http(s) address"),
        ('[profiles.p]\napi_key = "two words"\n', "whitespace"),
        ('profiles = "p"\n', "profiles must be tables"),
    ],
)
def test_bad_values_are_config_errors(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        resolve(path, profile="p")
    assert problem in str(caught.value)
    assert "two words" not in str(caught.value)


def test_bad_options_are_config_errors(config_file: Path) -> None:
    with pytest.raises(ConfigError, match="--workers option"):
        resolve(config_file, workers=0)
    with pytest.raises(ConfigError, match="--region option"):
        resolve(config_file, region="xx")


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_readable_file_with_a_key_warns(config_file: Path) -> None:
    config_file.chmod(0o644)
    (warning,) = resolve(config_file).warnings
    assert "chmod 600" in warning and "other users" in warning
    config_file.chmod(0o600)
    assert resolve(config_file).warnings == ()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_readable_file_without_a_key_does_not_warn(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.default]\nregion = "eu"\n', encoding="utf-8")
    path.chmod(0o644)
    settings = resolve(path, {"ESPLORO_API_KEY": "k"})
    assert (settings.warnings, settings.profile, settings.base_url) == ((), "default", EU)


def test_other_warnings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.p]\napikey = "k"\nbase_url = "http://esploro.example"\n')
    path.chmod(0o600)
    settings = resolve(path, {"ESPLORO_API_KEY": "k"}, profile="p")
    assert any("unknown setting 'apikey'" in w for w in settings.warnings)
    assert any("plain http" in w for w in settings.warnings)


def test_a_misspelt_profile_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.lab]\nregion = "eu"\napikey = "k"\nrat = 3\n', encoding="utf-8")
    path.chmod(0o600)
    settings = resolve(path, {"ESPLORO_API_KEY": "env-key"}, profile="lab")
    assert settings.warnings == (
        f"{display_path(path)}, profile 'lab': unknown setting 'apikey', ignored "
        "(did you mean 'api_key'?)",
        f"{display_path(path)}, profile 'lab': unknown setting 'rat', ignored "
        "(did you mean 'rate'?)",
    )
    with pytest.raises(ConfigError) as refused:  # no other key: the near miss is the reason
        resolve(path, profile="lab")
    assert "profile 'lab' has no api_key (it has 'apikey': did you mean 'api_key'?)" in str(
        refused.value
    )
    assert "'k'" not in str(refused.value)


def test_sandbox_finds_the_newest_running_sandbox(config_file: Path) -> None:
    older, newer = start_sandbox(researchers=1, assets=1), start_sandbox(researchers=1, assets=1)
    records = [record_running_sandbox(b.base_url) for b in (older, newer)]
    try:
        assert resolve(config_file, sandbox=True).base_url == newer.base_url
        assert find_running_sandbox() == newer.base_url
        newer.stop()  # stopped without forgetting: its process (ours) lives, its port is shut
        settings = resolve(config_file, sandbox=True)
        assert (settings.base_url, settings.warnings) == (older.base_url, ())
    finally:
        older.stop()
        newer.stop()
        for record in records:
            forget_running_sandbox(record)
    assert list(running_sandboxes_dir().iterdir()) == []


def test_a_record_of_a_sandbox_whose_process_is_gone_is_removed(config_file: Path) -> None:
    with start_sandbox(researchers=1, assets=1) as box:
        record = running_sandboxes_dir() / "999999999.json"
        facts = {"pid": 999999999, "base_url": box.base_url, "started": "9999"}
        record.parent.mkdir(parents=True)
        record.write_text(json.dumps(facts), encoding="utf-8")
        assert find_running_sandbox() is None  # its port answers, but its process is gone
        assert not record.exists()


def test_sandbox_with_none_running_tries_the_default_port_and_says_why(
    config_file: Path,
) -> None:
    settings = resolve(config_file, sandbox=True)
    assert settings.base_url == SANDBOX_BASE_URL
    message = (
        f"no running `sheetsync sandbox` found (none recorded in "
        f"{display_path(running_sandboxes_dir())}); trying {SANDBOX_BASE_URL}. "
        "Start one with `sheetsync sandbox`, or give --base-url"
    )
    assert settings.warnings in ((message,), ())  # () only if something listens on 8780
    if not settings.warnings:
        assert find_running_sandbox() is None


def test_settings_repr_hides_the_key(config_file: Path) -> None:
    settings = resolve(config_file)
    assert "file-prod-key" not in repr(settings)
    assert "file-prod-key" not in str(settings)


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
scalars = st.one_of(
    text, st.integers(-(2**63), 2**63 - 1), st.booleans(), st.floats(allow_nan=False)
)


tables = st.recursive(
    st.dictionaries(text, scalars, max_size=4),
    lambda children: st.dictionaries(text, st.one_of(scalars, children), max_size=4),
    max_leaves=12,
)


def test_the_sandbox_defaults_agree_with_the_sandbox() -> None:
    """settings names the sandbox's address and key without importing the sandbox."""
    from sheetsync.esploro.settings import SANDBOX_API_KEY, SANDBOX_BASE_URL

    assert f"http://127.0.0.1:{DEFAULT_PORT}" == SANDBOX_BASE_URL
    assert SANDBOX_API_KEY == READ_WRITE_KEY


def test_every_region_is_a_server_of_the_openapi_file() -> None:
    """The assets OpenAPI file's `servers` list is the regions' gateways: China's is under
    .com.cn, and Asia-Pacific has a second one, `aps`."""
    import json

    from sheetsync.esploro.settings import REGIONS, region_base_url

    assert region_base_url("cn") == "https://api-cn.hosted.exlibrisgroup.com.cn"
    assert region_base_url("aps") == "https://api-aps.hosted.exlibrisgroup.com"
    evidence = Path("/work/shared/evidence/esploro-assets-openapi.json")
    if evidence.exists():  # the evidence folder travels with the project's workspace only
        document = json.loads(evidence.read_text(encoding="utf-8"))
        servers = {server["url"] for server in document["servers"]}
        assert {region_base_url(region) for region in REGIONS} == servers
