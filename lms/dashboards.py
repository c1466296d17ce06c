"""Dashboards: "My learning" for volunteers."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from courses.selectors import learner_dashboard


@login_required
def my_learning(request):
    return render(request, "lms/my_learning.html", learner_dashboard(user=request.user))
