import pytest

from backend.accounts.models import Role, User
from backend.demo.seed import seed_demo
from backend.tenancy.models import Agency, Tenant

pytestmark = pytest.mark.django_db


def test_seeding_again_changes_nothing() -> None:
    before = (Tenant.objects.count(), User.objects.count(), Role.objects.count())

    report = seed_demo("Demo-test-password-42")

    assert report.created_users == []
    assert (Tenant.objects.count(), User.objects.count(), Role.objects.count()) == before


def test_demo_has_the_promised_users_and_the_referral_worker_is_elsewhere() -> None:
    demo_users = dict(
        User.objects.filter(tenant__slug="demo").values_list("username", "agency__code")
    )

    assert set(demo_users) == {
        "admin",
        "cp_worker",
        "cp_supervisor",
        "cp_monitor",
        "gbv_worker",
        "referral_worker",
    }
    assert demo_users["referral_worker"] != demo_users["cp_worker"]
    assert Agency.objects.filter(tenant__slug="demo").count() == 2
    assert User.objects.filter(tenant__slug="sandbox", username="cp_worker").exists()


def test_without_a_password_one_is_generated_for_new_users_only() -> None:
    User.objects.filter(tenant__slug="sandbox").delete()

    report = seed_demo(None)

    assert report.created_users == ["sandbox/cp_worker"]
    assert report.generated_password
    sandbox_user = User.objects.get(tenant__slug="sandbox", username="cp_worker")
    assert sandbox_user.check_password(report.generated_password)
    assert User.objects.get(tenant__slug="demo", username="admin").check_password(
        "Demo-test-password-42"
    )
