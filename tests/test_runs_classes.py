"""Classes in the run store, on a SQLite file and on a real PostgreSQL server: a teacher's secret kept only
as a hash, members with names as typed, their progress rows, the join limit, the end date and retention."""

import hashlib
import threading
import time

import pytest
import sqlalchemy as sa

from core.classwork.lesson import Lesson
from core.record.events import TrainSamples
from core.training.settings import Settings
from runs import classes as store_module
from runs.classes import Progress
from runs.errors import (
    ClassEnded,
    CorruptRecord,
    CreationRefused,
    JoinRefused,
    MalformedClassId,
    UnknownClass,
    WrongTeacherKey,
)
from runs.store import RunStore
from tests.test_runs_store import execute, location, postgres_server, store  # noqa: F401  (the two engines)
from tests.saying import raises_saying

HOSTILE_NAMES = ["<img src=x onerror=alert(1)>", "**bold**", "Robert'); DROP TABLE class_members;--", "ζωή 🙂",
                 "$x$ :red[red] [a](javascript:alert(1))"]
LESSON = Lesson(Settings(learning_rate=0.05, rule="mse"), frozenset({"learning_rate"}), ("loss_surface",),
                ("accuracy_90", "branch"))
DAY = 86400


def a_class(store, now=None, days=1.0):
    now = time.time() if now is None else now
    return store.create_class("Lab 3: backprop", LESSON, now + days * DAY, now=now)


def progress(step, tasks=(), accuracy=None, active=None):
    return Progress(time.time() if active is None else active, step, step // 60_000, step % 60_000, accuracy,
                    None if accuracy is None else step, 2, 10, (2.0, 1.5, 0.9), tuple(tasks))


def test_a_class_keeps_only_a_hash_of_the_teachers_secret(store):
    class_id, secret = a_class(store)
    assert len(class_id) == 22 and len(secret) >= 43  # 128 and 256 random bits
    info = store.class_info(class_id)
    assert info.name == "Lab 3: backprop" and info.lesson == LESSON and info.is_open()
    assert store.teacher_class(class_id, secret) == info
    stored = execute(store, "SELECT * FROM classes").mappings().one()
    assert secret not in " ".join(map(str, stored.values()))
    assert stored["teacher_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    for wrong in ("", secret[:-1] + ("A" if secret[-1] != "A" else "B"), secret + "x", "x" * 10_000, None, 12):
        with pytest.raises(WrongTeacherKey):
            store.teacher_class(class_id, wrong)
    second_id, second_secret = a_class(store)
    with pytest.raises(WrongTeacherKey):
        store.teacher_class(class_id, second_secret)  # another class's key opens only that class


@pytest.mark.parametrize("hostile", ["'; drop table classes; --", "x" * 10_000, "../../etc/passwd", "", None,
                                     "AAAAAAAAAAAAAAAAAAAAA\n"])
def test_hostile_class_ids_are_refused_before_any_query(store, hostile):
    for call in (lambda: store.class_info(hostile), lambda: store.teacher_class(hostile, "x"),
                 lambda: store.join_class(hostile, "Ann", store.create_run(Settings())),
                 lambda: store.class_members(hostile)):
        with raises_saying(MalformedClassId, "not a class link"):
            call()
    with pytest.raises(UnknownClass):
        store.class_info("A" * 22)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_member_is_kept_with_their_name_exactly_as_typed(store, name):
    class_id, _ = a_class(store)
    run_id = store.create_run(LESSON.settings)
    member_id = store.join_class(class_id, name, run_id)
    [member] = store.class_members(class_id)
    assert (member.id, member.name, member.run_id, member.progress.step) == (member_id, name, run_id, 0)
    assert store.member_of_run(run_id) == member
    assert store.class_members(a_class(store)[0]) == []  # another class sees nobody


@pytest.mark.parametrize("bad, message", [("", "Type a name"), ("   ", "Type a name"), ("x" * 41, "at most 40"),
                                          ("Ann\nBob", "control character"), ("\u202eevil", "control character")])
def test_names_that_cannot_be_shown_as_typed_are_refused(store, bad, message):
    class_id, _ = a_class(store)
    with raises_saying(ValueError, message):
        store.join_class(class_id, bad, store.create_run(Settings()))
    assert store.class_members(class_id) == []


def test_a_member_moves_to_a_new_run_and_every_run_of_theirs_leads_back_to_them(store):
    class_id, _ = a_class(store)
    first, second, stranger = (store.create_run(Settings()) for _ in range(3))
    member_id = store.join_class(class_id, "Ann", first)
    store.move_member(member_id, second)
    assert store.member(member_id).run_id == second
    assert store.member_of_run(first).id == store.member_of_run(second).id == member_id
    assert store.member_of_run(stranger) is None
    other = store.join_class(class_id, "Bob", stranger)
    with raises_saying(ValueError, "another student"):
        store.move_member(other, second)
    with raises_saying(ValueError, "already belongs to a class"):
        store.join_class(class_id, "Eve", first)


def test_progress_rows_are_written_in_one_go_and_read_back(store):
    class_id, _ = a_class(store)
    runs = [store.create_run(Settings()) for _ in range(3)]
    members = [store.join_class(class_id, name, run) for name, run in zip(("Ann", "Bob", "Cy"), runs)]
    store.write_progress({members[0]: (runs[0], progress(120, ["branch"], 0.81)),
                          members[2]: (runs[2], progress(60_100, ["accuracy_90", "first_epoch"], 0.9))})
    rows = {member.name: member.progress for member in store.class_members(class_id)}
    assert rows["Ann"].step == 120 and rows["Ann"].accuracy == 0.81 and rows["Ann"].tasks == ("branch",)
    assert rows["Bob"].step == 0 and rows["Bob"].accuracy is None
    assert rows["Cy"].epoch == 1 and rows["Cy"].sample == 100 and rows["Cy"].losses == (2.0, 1.5, 0.9)
    assert rows["Cy"].tasks == ("accuracy_90", "first_epoch")
    with raises_saying(ValueError, "test accuracy"):
        store.write_progress({members[1]: (runs[1], progress(5, accuracy=1.5))})


@pytest.mark.parametrize("column, value", [("tasks", '["<script>"]'), ("losses", "[1e999]"), ("losses", "{}"),
                                           ("name", "a\u0007b"), ("step", -1), ("accuracy", 3.0)])
def test_a_damaged_member_row_is_refused(store, column, value):
    class_id, _ = a_class(store)
    store.join_class(class_id, "Ann", store.create_run(Settings()))
    execute(store, f"UPDATE class_members SET {column} = :value", value=value)
    with raises_saying(CorruptRecord, "damaged or was edited"):
        store.class_members(class_id)


def test_a_damaged_lesson_is_refused(store):
    class_id, _ = a_class(store)
    execute(store, "UPDATE classes SET lesson = :body", body='{"settings": {}, "locked": [], "tasks": []}')
    with raises_saying(CorruptRecord, f"class {class_id}'s record is damaged"):
        store.class_info(class_id)


def test_joins_are_limited_per_class_and_minute(store, monkeypatch):
    monkeypatch.setattr(store_module, "JOINS_PER_MINUTE", 5)
    now = time.time()
    class_id, _ = a_class(store, now)
    other_id, _ = a_class(store, now)
    for number in range(5):
        store.join_class(class_id, f"student {number}", store.create_run(Settings()), now=now + number)
    with raises_saying(JoinRefused, "5 students joined this class in the last minute"):
        store.join_class(class_id, "one too many", store.create_run(Settings()), now=now + 10)
    store.join_class(other_id, "elsewhere", store.create_run(Settings()), now=now + 10)  # per class
    store.join_class(class_id, "a minute later", store.create_run(Settings()), now=now + 62)
    assert len(store.class_members(class_id)) == 6


def test_the_join_limit_holds_for_two_servers_joining_at_once(location, monkeypatch):
    monkeypatch.setattr(store_module, "JOINS_PER_MINUTE", 6)
    stores = [RunStore(location), RunStore(location)]  # two engines, as two replicas have
    class_id, _ = a_class(stores[0])
    runs = [[stores[0].create_run(Settings()) for _ in range(6)] for _ in range(2)]
    barrier, refused = threading.Barrier(2), [0, 0]

    def joiner(number):
        barrier.wait()
        for run_id in runs[number]:
            try:
                stores[number].join_class(class_id, f"s{number}", run_id)
            except JoinRefused:
                refused[number] += 1

    threads = [threading.Thread(target=joiner, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(stores[1].class_members(class_id)) == 6 and sum(refused) == 6
    for opened in stores:
        opened.close()


def test_a_class_past_its_end_is_read_only(store):
    now = time.time()
    class_id, secret = a_class(store, now)
    run_id = store.create_run(Settings())
    member_id = store.join_class(class_id, "Ann", run_id, now=now)
    with pytest.raises(WrongTeacherKey):
        store.end_class(class_id, "not the key")
    ended = store.end_class(class_id, secret)
    assert not ended.is_open()
    with raises_saying(ClassEnded, "ended"):
        store.join_class(class_id, "Late", store.create_run(Settings()))
    with pytest.raises(ClassEnded):
        store.move_member(member_id, store.create_run(Settings()))
    store.write_progress({member_id: (run_id, progress(500))})
    assert store.member(member_id).progress.step == 0  # nothing written after the end


def test_a_classs_runs_are_kept_until_it_ends_then_pruned_with_the_stores_retention(store):
    now = time.time()
    running, _ = a_class(store, now, days=300)
    ended_recently, _ = a_class(store, now, days=1)
    ended_long_ago, _ = a_class(store, now, days=1)
    execute(store, "UPDATE classes SET ends = :ends WHERE id = :id", ends=now - 5 * DAY, id=ended_recently)
    execute(store, "UPDATE classes SET ends = :ends WHERE id = :id", ends=now - 31 * DAY, id=ended_long_ago)
    runs = {}
    for class_id in (running, ended_recently, ended_long_ago):  # joined while open, untouched for 40 days since
        runs[class_id] = store.create_run(Settings())
        store.join_class(class_id, "Ann", runs[class_id], now=now - 40 * DAY)
        execute(store, "UPDATE runs SET touched = :touched WHERE id = :id", touched=now - 40 * DAY, id=runs[class_id])
    lonely = store.create_run(Settings())
    execute(store, "UPDATE runs SET touched = :touched WHERE id = :id", touched=now - 40 * DAY, id=lonely)
    assert sorted(store.prune(now=now)) == sorted([runs[ended_long_ago], lonely])
    assert store.run_info(runs[running]).length == 0 and store.run_info(runs[ended_recently]).length == 0
    with pytest.raises(UnknownClass):
        store.class_info(ended_long_ago)  # ended more than 30 days ago and no run left: gone, members too
    assert execute(store, "SELECT count(*) FROM class_members WHERE class_id = :id", id=ended_long_ago).scalar() == 0
    assert [member.name for member in store.class_members(running)] == ["Ann"]
    assert store.class_info(ended_recently).name == "Lab 3: backprop"


def test_a_version_2_store_gains_the_class_tables_and_keeps_its_runs(store, location):
    run_id = store.create_run(Settings())
    for table in ("class_runs", "class_members", "classes"):
        execute(store, f"DROP TABLE {table}")
    execute(store, "UPDATE store_meta SET value = '2' WHERE key = 'schema_version'")
    store.close()
    upgraded = RunStore(location)
    assert upgraded.run_info(run_id).length == 0
    class_id, _ = a_class(upgraded)
    upgraded.join_class(class_id, "Ann", run_id)
    assert upgraded.member_of_run(run_id).name == "Ann"
    assert execute(upgraded, "SELECT value FROM store_meta WHERE key = 'schema_version'").scalar() == "3"
    assert {"classes", "class_members", "class_runs"} <= set(sa.inspect(upgraded.engine).get_table_names())
    upgraded.close()


def test_an_ended_classs_run_refuses_appends_on_every_server(location):
    stores = [RunStore(location), RunStore(location)]  # two engines, as two replicas have
    class_id, secret = a_class(stores[0])
    run_id = stores[0].create_run(Settings())
    stores[0].join_class(class_id, "Ann", run_id)
    free_run = stores[0].create_run(Settings())
    assert stores[1].append(run_id, 0, [TrainSamples(10)]) == 1
    stores[0].end_class(class_id, secret)
    with pytest.raises(ClassEnded, match="class has ended"):
        stores[1].append(run_id, 1, [TrainSamples(10)])  # the other server's session still thinks it open
    assert stores[1].run_info(run_id).length == 1 and len(stores[0].events_since(run_id)) == 1
    assert stores[1].append(free_run, 0, [TrainSamples(10)]) == 1  # a run in no class goes on
    for opened in stores:
        opened.close()


def test_a_class_holds_a_configurable_number_of_students(store, monkeypatch):
    assert store_module.class_size() == 200
    monkeypatch.setenv("BACKPROP_CLASS_SIZE", "3")
    class_id, _ = a_class(store)
    for number in range(3):
        store.join_class(class_id, f"student {number}", store.create_run(Settings()))
    with pytest.raises(JoinRefused, match="holds 3 students"):
        store.join_class(class_id, "one too many", store.create_run(Settings()))
    assert len(store.class_members(class_id)) == 3


def test_class_creation_is_limited_per_client_and_for_the_whole_store(store, monkeypatch):
    now = time.time()
    for number in range(store_module.CLASSES_PER_CLIENT_PER_HOUR):
        store.create_class(f"Lab {number}", LESSON, now + DAY, now=now + number, client="203.0.113.7")
    with pytest.raises(CreationRefused, match="from this address in the last hour"):
        store.create_class("one too many", LESSON, now + DAY, now=now + 20, client="203.0.113.7")
    store.create_class("another teacher", LESSON, now + DAY, now=now + 20, client="198.51.100.2")  # per client
    store.create_class("an hour later", LESSON, now + 2 * DAY, now=now + 3601, client="203.0.113.7")
    assert "203.0.113.7" not in str(execute(store, "SELECT * FROM class_creators").all())  # only a hash is kept
    monkeypatch.setattr(store_module, "MAX_OPEN_CLASSES", 12)
    with pytest.raises(CreationRefused, match="holds 12 open classes"):
        store.create_class("past the cap", LESSON, now + DAY, now=now + 3602, client="192.0.2.1")
