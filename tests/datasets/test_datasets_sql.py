"""DuckDB access to a world in memory and on disk (chapter 03). duckdb 2.0: use con.execute(q).fetchone()."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

pytest.importorskip("duckdb")

from companion.datasets import connect, save_world  # noqa: E402

COUNTS = """
select (select count(*) from users), (select count(*) from items), (select count(*) from events),
       (select count(*) from topics), (select sum(click::int) from events), (select count(distinct request_id)
       from events), (select sum(watch_s) from events)
"""


@pytest.fixture(scope="module")
def folder(tiny_world, tmp_path_factory):
    path = tmp_path_factory.mktemp("sql") / "tiny"
    save_world(tiny_world, path)
    return path


def test_connect_world_and_folder_agree(tiny_world, folder):
    with connect(tiny_world) as con:
        mem = con.execute(COUNTS).fetchone()
    with connect(folder) as con:
        disk = con.execute(COUNTS).fetchone()
    with connect(str(folder)) as con:
        disk_str = con.execute(COUNTS).fetchone()
    e = tiny_world.events
    expected = (len(tiny_world.users), len(tiny_world.items), len(e), len(tiny_world.topics),
                int(e["click"].sum()), e["request_id"].nunique())
    assert mem[:6] == disk[:6] == disk_str[:6] == expected
    assert mem[6] == pytest.approx(disk[6]) and mem[6] == pytest.approx(float(e["watch_s"].sum()), rel=1e-5)


def test_join_query_agrees_with_pandas(tiny_world, folder):
    query = """
        select u.age_bucket, count(*) as impressions, avg(e.click::double) as ctr
        from events e join users u using (user_id) group by 1 order by 1
    """
    with connect(folder) as con:
        got = con.execute(query).df()
    e = tiny_world.events.merge(tiny_world.users[["user_id", "age_bucket"]], on="user_id")
    expected = e.groupby("age_bucket")["click"].agg(impressions="size", ctr="mean").reset_index()
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=False)
    # World.sql is the same query engine over the in-memory tables.
    pd.testing.assert_frame_equal(tiny_world.sql(query), got, check_dtype=False)


def test_connect_folder_verifies_checksums(folder, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    with open(copy / "users.parquet", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(ValueError, match=r"checksum mismatch for 'users.parquet'"):
        connect(copy)


def test_connect_rejects_other_sources(tiny_world, tmp_path):
    msg = r"`source` must be a companion World or the path of a saved world; got int"
    with pytest.raises(TypeError, match=msg):
        connect(42)
    with pytest.raises(TypeError, match=r"got DataFrame"):
        connect(tiny_world.events)
    with pytest.raises(FileNotFoundError, match=r"does not exist"):
        connect(tmp_path / "nowhere")
    tmp_path.joinpath("empty").mkdir()
    with pytest.raises(ValueError, match=r"has no manifest.json"):
        connect(tmp_path / "empty")


def test_connect_manifest_without_a_table(folder, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["files"]["topics.parquet"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=r"topics.parquet"):
        connect(copy)
