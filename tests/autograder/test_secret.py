"""A course's secret salts the hidden seeds: different per course and per assignment, never the public seed."""

import os

import pytest

from autograder import secret


def test_a_secret_is_private_and_salts_each_assignment_differently(tmp_path):
    p = secret.create(tmp_path)
    assert oct(p.stat().st_mode & 0o777) == "0o600"
    key = secret.read(tmp_path)
    assert secret.salted(1234, key, "a1") != 1234
    assert secret.salted(1234, key, "a1") != secret.salted(1234, key, "a2")
    assert secret.salted(1234, key, "a1") == secret.salted(1234, key, "a1") < 2**63
    other = tmp_path / "other"
    other.mkdir()
    secret.create(other)
    assert secret.salted(1234, secret.read(other), "a1") != secret.salted(1234, key, "a1")
    with pytest.raises(FileExistsError):
        secret.create(tmp_path)  # never overwrites: a new secret would change every hidden input


def test_no_secret_keeps_the_public_seed_and_a_readable_one_is_refused(tmp_path):
    assert secret.read(tmp_path) is None and secret.salted(99, None, "a1") == 99
    p = secret.path(tmp_path)
    p.write_text("x" * 64)
    os.chmod(p, 0o644)
    with pytest.raises(PermissionError):
        secret.read(tmp_path)
