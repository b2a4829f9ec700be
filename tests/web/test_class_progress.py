"""A class's progress page, its CSV tables and the read-only dashboards of its students (test client)."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import event

from quizapp.extensions import db
from quizapp.models.types import utcnow
from tests.class_progress_seed import EXPECTED, seed_class
from tests.conftest import AuthActions
from tests.progress_seed import EXPECTED as ANN


@pytest.fixture
def seeded(app, client):
    with app.app_context():
        ids = seed_class(utcnow())
    AuthActions(client).login("teacher@example.com")
    return ids


def main_of(page: str) -> str:
    return page.split('<main id="content"')[1].split("</main>")[0]


def cells(page: str, user_id: int) -> dict[str, str]:
    """The text of each cell of a student's row, by its data-col (and "name")."""
    row = re.search(rf'<tr data-student="{user_id}">(.*?)</tr>', page, re.S).group(1)
    out = {"name": " ".join(re.sub(r"<[^>]+>", " ", row.split("</th>")[0]).split())}
    for col, text in re.findall(r'<td data-col="([^"]+)"[^>]*>(.*?)</td>', row, re.S):
        out[col] = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return out


def stat(page: str, name: str) -> str:
    return re.search(rf'data-stat="{name}">.*?<b class="stat-value[^"]*">([^<]*)</b>', page, re.S).group(1)


def test_the_owner_sees_every_students_numbers(seeded, client):
    response = client.get(f"/teach/classes/{seeded['class']}/progress")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("Ann", "Ben", "Cy"):
        row, want = cells(page, seeded[name]), EXPECTED[name]
        assert row["name"] == name
        assert row["last-active"] == want["last"], name
        assert row["reviews"] == str(want["reviews"]), name
        assert row["retention"].split()[0] == want["retention"], name
        assert (row["due"], row["overdue"]) == (str(want["due"]), str(want["overdue"])), name
    assert f'data-student="{seeded["Zed"]}"' not in page and "Zed" not in page
    assert "Mastery: Demo bank" in page and "Other bank" not in page
    assert cells(page, seeded["Cy"])[f"mastery-{seeded['bank']}"] == "0% 0 of 10"  # never studied: 0, not a blank
    head = EXPECTED["headline"]
    assert [stat(page, s) for s in ("active", "reviews", "retention", "due")] == [
        head["active"], head["reviews"], head["retention"], head["due"]]
    assert "data-sortable" in page and 'data-type="number"' in page
    # The bank's weekly charts: images with a name, and a table of the same weeks.
    bank = EXPECTED["bank"]
    assert page.count('role="img"') == 2 and "Reviews per week of Demo bank" in page
    rows = re.findall(r"<tr><th scope=\"row\">.*?</th><td>(\d+)</td><td>(\d+)</td><td>.*?(\d+) of (\d+)</span></td>",
                      page.split(f'id="bank-{seeded["bank"]}-table"')[1])
    assert len(rows) == 12
    assert sum(int(r[0]) for r in rows) == bank["reviews"]
    assert (sum(int(r[3]) for r in rows), sum(int(r[2]) for r in rows)) == (bank["first"], bank["passed"])
    assert f"Studied by {bank['studied_by']} of 3 students" in page
    assert " style=" not in page and "<style" not in page and "<script>" not in page


def test_mastery_agrees_with_the_students_own_dashboard(seeded, client):
    page = client.get(f"/teach/classes/{seeded['class']}/progress").get_data(as_text=True)
    mastery = cells(page, seeded["Ann"])[f"mastery-{seeded['bank']}"]
    dashboard = client.get(f"/teach/classes/{seeded['class']}/students/{seeded['Ann']}").get_data(as_text=True)
    row = re.search(r'id="mastery-banks-table".*?<th scope="row">Demo bank</th>'
                    r'<td>(\d+) of (\d+)<.*?</meter> ([^<]+)</td>', dashboard, re.S)
    assert mastery == f"{row.group(3).strip()} {row.group(1)} of {row.group(2)}"


def test_students_csv(seeded, client):
    response = client.get(f"/teach/classes/{seeded['class']}/progress.csv")
    assert response.mimetype == "text/csv"
    assert re.match(rf'attachment; filename="class-{seeded["class"]}-students-\d{{4}}-\d\d-\d\d\.csv";',
                    response.headers["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["student"] for r in rows] == ["Ann", "Ben", "Cy"]
    ann, ben, cy = rows
    assert (ann["reviews last 7 days"], ann["reviews of review cards last 30 days"], ann["not again"]) == (
        "11", "5", "3")
    assert (ann["true retention %"], ann["due now"], ann["overdue"]) == ("60.0", "3", "2")
    assert (ben["reviews last 7 days"], ben["true retention %"], ben["studied cards Demo bank"]) == ("3", "50.0", "1")
    assert (cy["last active (UTC)"], cy["true retention %"], cy["mastery % Demo bank"]) == ("", "", "0.0")


def test_weekly_csv_and_unknown_tables(seeded, client):
    url = f"/teach/classes/{seeded['class']}/progress.csv"
    rows = list(csv.DictReader(io.StringIO(client.get(url + "?table=weekly").get_data(as_text=True))))
    assert len(rows) == 12 and {r["bank"] for r in rows} == {"Demo bank"}
    assert sum(int(r["reviews"]) for r in rows) == EXPECTED["bank"]["reviews"]
    assert client.get(url + "?table=users").status_code == 404


def test_csv_cells_are_formula_safe(app, seeded, client):
    from quizapp.models import User

    with app.app_context():
        db.session.get(User, seeded["Cy"]).name = "=HYPERLINK(\"http://x\")"
        db.session.commit()
    text = client.get(f"/teach/classes/{seeded['class']}/progress.csv").get_data(as_text=True)
    names = [row[0] for row in csv.reader(io.StringIO(text))]
    assert "'=HYPERLINK(\"http://x\")" in names


def test_each_row_opens_the_students_read_only_dashboard(seeded, client):
    page = client.get(f"/teach/classes/{seeded['class']}/progress").get_data(as_text=True)
    link = re.search(rf'<tr data-student="{seeded["Ann"]}">.*?href="([^"]+)"', page, re.S).group(1)
    assert link == f"/teach/classes/{seeded['class']}/students/{seeded['Ann']}"
    dashboard = client.get(link)
    assert dashboard.status_code == 200
    html = dashboard.get_data(as_text=True)
    main = main_of(html)
    assert "Ann&#39;s progress in History 1" in main
    assert re.search(rf'data-count="mature">.*?</th><td>{ANN["mature"]}</td>', main)
    # Read-only: no form, no checkbox, no study link; the downloads are the teacher's.
    assert "<form" not in main and 'type="checkbox"' not in main and "/study" not in main and "Study just" not in main
    assert f'href="/teach/classes/{seeded["class"]}/students/{seeded["Ann"]}/progress.csv?table=forecast"' in main
    csv_response = client.get(link + "/progress.csv?table=mastery")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(csv_response.get_data(as_text=True))))[1][:2] == ["bank", "Demo bank"]
    assert client.get(link + "/progress.csv?table=users").status_code == 404


def test_the_dashboard_covers_the_class_banks_only(seeded, client):
    """Ben's answer in a bank the class does not have is not in his retention there."""
    html = client.get(f"/teach/classes/{seeded['class']}/students/{seeded['Ben']}").get_data(as_text=True)
    assert "Other bank" not in html
    # 2 reviews (1 passed): too few for a percentage.
    assert re.search(r'data-stat="retention">.*?not enough reviews yet: 2 of 20', html, re.S)


@pytest.mark.parametrize("who", ["Zed", "nobody"])
def test_a_student_not_in_the_class_is_404(seeded, client, who):
    user_id = seeded[who] if who != "nobody" else 999_999
    base = f"/teach/classes/{seeded['class']}/students/{user_id}"
    assert client.get(base).status_code == 404
    assert client.get(base + "/progress.csv?table=forecast").status_code == 404


def test_another_teacher_and_an_unknown_class_are_404_but_an_admin_sees_it(app, seeded, make_user):
    make_user("other@example.com", role="teacher")
    make_user("admin@example.com", role="admin")
    other = app.test_client()
    AuthActions(other).login("other@example.com")
    for path in ("/progress", "/progress.csv", f"/students/{seeded['Ann']}"):
        assert other.get(f"/teach/classes/{seeded['class']}{path}").status_code == 404, path
    admin = app.test_client()
    AuthActions(admin).login("admin@example.com")
    assert admin.get(f"/teach/classes/{seeded['class']}/progress").status_code == 200
    assert admin.get(f"/teach/classes/{seeded['class']}/students/{seeded['Ann']}").status_code == 200
    assert admin.get(f"/teach/classes/{seeded['class'] + 100}/progress").status_code == 404


def test_the_class_page_links_to_progress_with_its_headline(seeded, client):
    page = client.get(f"/teach/classes/{seeded['class']}").get_data(as_text=True)
    assert f'href="/teach/classes/{seeded["class"]}/progress"' in page
    assert stat(page, "active") == EXPECTED["headline"]["active"] and stat(page, "due") == EXPECTED["headline"]["due"]


def test_a_class_without_students_or_banks(app, client, make_user):
    make_user("t@example.com", role="teacher")
    AuthActions(client).login("t@example.com")
    from tests.conftest import csrf_from

    token = csrf_from(client.get("/teach/classes/new").get_data(as_text=True))
    class_url = client.post("/teach/classes/new", data={"csrf_token": token, "name": "Empty"}).headers["Location"]
    page = client.get(class_url + "/progress").get_data(as_text=True)
    assert "No students yet" in page and "No banks assigned yet" in page
    assert client.get(class_url + "/progress.csv").get_data(as_text=True).count("\r\n") == 1


def test_a_fixed_number_of_queries_whatever_the_class_size(app, seeded, client, make_user):
    """Four queries for the numbers (plus the login and class lookups), for 3 students as for 13."""
    def count_queries() -> int:
        statements: list[str] = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/teach/classes/{seeded['class']}/progress").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    first = count_queries()
    small = count_queries()  # the banks' card totals are now kept (services.progress.card_totals)
    assert small == first - 2
    from quizapp.models import Membership

    with app.app_context():
        for i in range(10):
            user_id = make_user(f"extra{i}@example.com")
            db.session.add(Membership(class_id=seeded["class"], user_id=user_id))
        db.session.commit()
    assert count_queries() == small


def test_who_got_which_question_wrong(seeded, client):
    url = f"/teach/classes/{seeded['class']}/banks/{seeded['bank']}/answers"
    page = client.get(url).get_data(as_text=True)

    def cell(student: str, key: str) -> str:
        row = page.split(f'data-student="{seeded[student]}"')[1].split("</tr>")[0]
        return re.sub(r"<[^>]+>", "", row.split(f'data-question="{key}">')[1].split("</td>")[0]).split()[0]

    # Ann answered "capital" Good then Again today: wrong now. Ben's latest (a relearning step) was Good.
    assert cell("Ann", "capital") == "✗" and cell("Ben", "capital") == "✓" and cell("Cy", "capital") == "·"
    assert cell("Ann", "members") == "✗"  # Again yesterday
    assert re.search(r'data-wrong="capital">1<', page) and re.search(r'data-wrong="members">1<', page)
    assert "Zed" not in page  # not in the class
    rows = list(csv.DictReader(io.StringIO(client.get(url + ".csv").get_data(as_text=True))))
    ann_capital = next(r for r in rows if r["student"] == "Ann" and r["question"] == "capital")
    assert (ann_capital["study: latest answer"], ann_capital["quiz: latest answer"]) == ("wrong", "")
    assert len(rows) == 3 * 9  # three students, nine questions
