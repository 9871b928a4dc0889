"""The intelligence desk from the command line: import a bundle as an account, list the reports it may read,
export what it may read; a bad bundle is refused whole with every problem named, and a disabled or unknown
account may not act."""

import json
import re
from pathlib import Path

from sqlalchemy import func, select
from stix2validator import ValidationOptions, validate_instance

from fusioncell.db.session import Database
from fusioncell.intel.models import IntelReport
from tests.intel.conftest import bundle_of, indicator
from tests.test_cli import cli  # noqa: F401  (the fixture)


def report_count(url: str) -> int:
    database = Database(url)
    try:
        with database.reading() as session:
            return session.execute(select(func.count()).select_from(IntelReport)).scalar_one()
    finally:
        database.dispose()


def bundle_file(tmp_path, *objects, name="bundle.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(bundle_of(*objects)), encoding="utf-8")
    return str(path)


def imported(result) -> str:
    assert result.exit_code == 0, result.output
    found = re.search(r"imported ([0-9a-f-]{36}): (\d+) objects?, ", result.output)
    assert found, result.output
    return found.group(1)


def test_an_imported_bundle_reaches_its_readers_and_no_one_else(cli, tmp_path):  # noqa: F811
    assert cli("init", "--demo").exit_code == 0
    objects = (indicator("203.0.113.5"), indicator("203.0.113.6"))
    path = bundle_file(tmp_path, *objects)
    result = cli(
        "intel", "import", path, "--as", "isr.liaison", "--to", "usa", "--marking", "tlp:amber", "--grade", "b2"
    )
    report_id = imported(result)
    assert "2 objects, B2, released" in result.output  # to the mediator alone: nothing to supervise
    usa = cli("intel", "reports", "--as", "usa.mediator")
    assert usa.exit_code == 0 and report_id in usa.output
    assert report_id not in cli("intel", "reports", "--as", "syr.liaison").output
    exported = cli("intel", "export", "--as", "syr.liaison")
    assert exported.exit_code == 0
    bundle = json.loads(exported.stdout)
    result = validate_instance(bundle, ValidationOptions())
    assert result.is_valid, [str(e) for e in result.errors]
    assert bundle["objects"] and not {o["id"] for o in objects} & {o["id"] for o in bundle["objects"]}
    written = tmp_path / "usa.json"
    assert cli("intel", "export", "--as", "usa.mediator", "-o", str(written)).exit_code == 0
    assert {o["id"] for o in objects} <= {o["id"] for o in json.loads(written.read_text())["objects"]}
    assert cli("ledger", "audit").exit_code == 0


def test_the_status_says_who_the_report_waits_for(cli, tmp_path):  # noqa: F811
    assert cli("init", "--demo").exit_code == 0
    path = bundle_file(tmp_path, indicator())
    supervised = cli("intel", "import", path, "--as", "isr.liaison", "--to", "ISR,SYR", "--marking", "TLP:AMBER")
    report_id = imported(supervised)
    assert "1 object, F6, waiting for the mediator" in supervised.output  # the bundle carries no grade
    assert report_id in cli("intel", "reports", "--as", "usa.mediator", "--awaiting", "mediator").output
    red = cli(
        "intel", "import", "-", "--as", "isr.intel", "--to", "USA", "--marking", "TLP:RED", input=Path(path).read_text()
    )
    red_id = imported(red)
    assert "waiting for a second officer" in red.output
    assert red_id in cli("intel", "reports", "--as", "isr.liaison", "--awaiting", "second-officer").output
    assert "draft" in cli("intel", "import", path, "--as", "isr.liaison", "--to", "USA", "--marking", "TLP:GREEN",
                          "--draft", "--title", "[bold]Mine[/]").output  # fmt: skip
    assert "[bold]Mine[/]" in cli("intel", "reports", "--as", "isr.liaison").output  # user text, not markup


def test_a_bad_bundle_is_refused_whole_with_every_problem(cli, tmp_path, fresh_url):  # noqa: F811
    assert cli("init", "--demo").exit_code == 0
    before = report_count(fresh_url)
    bad = indicator("203.0.113.9", pattern="[ipv4-addr:value = '203.0.113.9'")
    path = bundle_file(tmp_path, indicator(), bad)
    result = cli("intel", "import", path, "--as", "isr.liaison", "--to", "USA", "--marking", "TLP:AMBER")
    assert result.exit_code == 1
    assert "objects[1].pattern" in result.output and "nothing was stored" in result.output
    assert report_count(fresh_url) == before
    assert cli("ledger", "audit").exit_code == 0


def test_bad_commands_fail_clearly_and_store_nothing(cli, tmp_path, fresh_url):  # noqa: F811
    assert cli("init", "--demo").exit_code == 0
    good = bundle_file(tmp_path, indicator())
    not_json = tmp_path / "not.json"
    not_json.write_text("{nope", encoding="utf-8")
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (10 * 1024 * 1024 + 1))
    assert cli("user", "disable", "isr.intel").exit_code == 0
    before = report_count(fresh_url)
    amber = ("--to", "USA", "--marking", "TLP:AMBER")
    for args, message in [
        (("import", good, "--as", "nobody", *amber), "no user"),
        (("import", good, "--as", "isr.intel", *amber), "disabled"),
        (("import", str(not_json), "--as", "isr.liaison", *amber), "not a JSON document"),
        (("import", str(huge), "--as", "isr.liaison", *amber), "larger than"),
        (("import", str(tmp_path / "absent.json"), "--as", "isr.liaison", *amber), "cannot read"),
        (("import", good, "--as", "isr.liaison", *amber, "--grade", "Z9"), "Admiralty code"),
        (("import", good, "--as", "isr.liaison", "--to", "EGY", "--marking", "TLP:AMBER"), "unknown party"),
        (("export", "--as", "isr.intel"), "disabled"),
        (("export", "--as", "nobody"), "no user"),
        (("reports", "--as", "isr.intel"), "disabled"),
        (("reports", "--as", "nobody"), "no user"),
    ]:
        result = cli("intel", *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
    assert report_count(fresh_url) == before
