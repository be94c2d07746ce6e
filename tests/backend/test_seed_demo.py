import pytest

from backend.accounts.models import Role, User
from backend.demo.seed import seed_demo
from backend.tenancy.models import Agency, Tenant
from tests.graphql_client import use_tenant

pytestmark = pytest.mark.django_db


def _counts() -> list[int]:
    counts = [Tenant.objects.count()]
    for slug in ("demo", "sandbox"):
        use_tenant(slug)
        counts += [User.objects.count(), Role.objects.count(), Agency.objects.count()]
    return counts


def test_seeding_again_changes_nothing() -> None:
    before = _counts()

    report = seed_demo("Demo-test-password-42")

    assert report.created_users == []
    assert report.published == []
    assert _counts() == before


def test_demo_has_the_promised_users_and_the_referral_worker_is_elsewhere() -> None:
    use_tenant("demo")
    demo_users = dict(User.objects.values_list("username", "agency__code"))

    assert set(demo_users) == {
        "admin",
        "cp_worker",
        "cp_supervisor",
        "cp_monitor",
        "gbv_worker",
        "referral_worker",
    }
    assert demo_users["referral_worker"] != demo_users["cp_worker"]
    assert Agency.objects.count() == 2
    use_tenant("sandbox")
    assert set(User.objects.values_list("username", flat=True)) == {"admin", "cp_worker"}


def test_without_a_password_one_is_generated_for_new_users_only() -> None:
    use_tenant("sandbox")
    User.objects.all().delete()

    report = seed_demo(None)

    assert report.created_users == ["sandbox/admin", "sandbox/cp_worker"]
    assert report.generated_password
    use_tenant("sandbox")
    assert User.objects.get(username="cp_worker").check_password(report.generated_password)
    use_tenant("demo")
    assert User.objects.get(username="admin").check_password("Demo-test-password-42")
