"""Who a coordinator may see: the scope every coordination view looks objects up within.

The scope rule lives here and nowhere else: a superuser sees every branch; a member with the
`coordinate_branch` permission sees their own branch, or every branch when it is the headquarters;
anyone else is refused. Views look up every object by id *within* the scope, so another branch's
volunteers, hours and promotions are simply not found.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from ..models import AppreciationLetter, Branch, Event, LevelAward, PracticalActivity, Volunteer

COORDINATE = "certification.coordinate_branch"
SIGN_OFF = "certification.sign_off_skills"


@dataclass(frozen=True)
class Scope:
    """What one coordinator may see: their branch, or every branch (`branch_ids` is None)."""

    user: object
    own_branch: Branch | None
    branch_ids: tuple[int, ...] | None

    @property
    def sees_all(self):
        return self.branch_ids is None

    def branches(self):
        branches = Branch.objects.all()
        return branches if self.sees_all else branches.filter(pk__in=self.branch_ids)

    def narrowed_to(self, branch):
        """The same coordinator looking at one branch (HQ's branch filter); `branch` must be
        within the scope, which the filter forms guarantee by offering only those."""
        if branch is None:
            return self
        if not self.sees_all and branch.pk not in self.branch_ids:
            raise PermissionDenied
        return Scope(user=self.user, own_branch=self.own_branch, branch_ids=(branch.pk,))

    def _by_branch(self, queryset, field):
        if self.sees_all:
            return queryset
        return queryset.filter(**{f"{field}__in": self.branch_ids})

    def volunteers(self):
        """Members whose account can log in: an application from an address nobody has
        confirmed yet (lms.accounts.confirmation) is not in anyone's queue."""
        return self._by_branch(Volunteer.objects.filter(user__is_active=True), "branch")

    def activities(self):
        """Practical activities of the scope's volunteers, except the coordinator's own:
        somebody else confirms those."""
        return self._by_branch(PracticalActivity.objects.all(), "volunteer__branch").exclude(
            volunteer__user=self.user
        )

    def awards(self):
        """Level awards of the scope's volunteers, except the coordinator's own promotion."""
        return self._by_branch(LevelAward.objects.all(), "volunteer__branch").exclude(
            volunteer__user=self.user
        )

    def letters(self):
        return self._by_branch(AppreciationLetter.objects.all(), "branch")

    def events(self):
        return self._by_branch(Event.objects.all(), "branch")

    def member_user_ids(self):
        """A subquery of the users who are members in the scope (for learning statistics)."""
        return self.volunteers().values("user_id")


def coordination_scope(user) -> Scope:
    """The coordinator's scope, or PermissionDenied for everybody else."""
    if not user.is_authenticated:
        raise PermissionDenied
    if user.is_superuser:
        return Scope(user=user, own_branch=_own_branch(user), branch_ids=None)
    if not user.has_perm(COORDINATE):
        raise PermissionDenied
    branch = _own_branch(user)
    if branch is None:  # a coordinator must belong to a branch to coordinate it
        raise PermissionDenied
    if branch.is_headquarters:
        return Scope(user=user, own_branch=branch, branch_ids=None)
    return Scope(user=user, own_branch=branch, branch_ids=(branch.pk,))


def _own_branch(user):
    volunteer = Volunteer.objects.filter(user=user).select_related("branch").first()
    return volunteer.branch if volunteer else None


def can_coordinate(user):
    return user.is_authenticated and (user.is_superuser or user.has_perm(COORDINATE))


def can_sign_off(user):
    """Instructors (and anyone given the permission) sign off skills of any member."""
    return user.is_authenticated and user.has_perm(SIGN_OFF)
