"""A problem counts, for appraisal, for the cadre who registered it or the cadre deployed at its post."""

from datetime import date

from frontline.dispatch.services import deployment_create
from frontline.dispatch.tests.factories import role
from frontline.ledger.tests.factories import make_problem


def test_a_problem_registered_by_a_cadre_counts_for_that_cadre(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)

    assert problem.cadre == lw.grid_cadre


def test_a_public_submission_counts_for_the_cadre_deployed_at_the_post(lw):
    deployed = lw.xingang_cadres[0]
    deployment_create(
        actor=None,
        cadre=deployed,
        post=lw.xingang_enterprise,
        role=role("party_building_instructor"),
        start_date=date(2025, 3, 1),
    )

    problem = make_problem(actor=None, post=lw.xingang_enterprise, source="public")

    assert problem.cadre == deployed


def test_a_problem_at_a_post_nobody_serves_counts_for_nobody_until_assigned(lw):
    problem = make_problem(actor=lw.land_clerk, post=lw.zengdu_project)

    assert problem.cadre is None
