import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_json_plan_for_scripts(small_rubric):
    out = StringIO()

    call_command(
        "generate_loop", "--profile", "mle", "--level", "IC3", "--format", "json", stdout=out
    )

    plan = json.loads(out.getvalue())
    assert plan["problems"] == []
    assert plan["budget_minutes"] == 300
    assert plan["total_minutes"] == sum(i["minutes"] for i in plan["interviews"])
    first = plan["interviews"][0]
    assert set(first) >= {"kind", "competencies", "minutes", "questions"}
    assert all(isinstance(key, str) for key in first["competencies"])


def test_text_plan_lists_interviews(small_rubric):
    out = StringIO()

    call_command("generate_loop", "--profile", "mle", "--level", "IC3", stdout=out)

    assert out.getvalue().startswith("MLE v1 at IC3:")


@pytest.mark.parametrize(("profile", "level"), [("nope", "IC3"), ("mle", "IC9")])
def test_unknown_profile_or_level_fails(small_rubric, profile, level):
    with pytest.raises(CommandError):
        call_command("generate_loop", "--profile", profile, "--level", level, stdout=StringIO())
