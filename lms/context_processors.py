from django.utils.functional import SimpleLazyObject


def navigation(request):
    """The course catalogue in the visitor's language, looked up only when a template asks."""

    def catalogue():
        from courses.models import CataloguePage

        page = (
            CataloguePage.objects.live().filter(locale__language_code=request.LANGUAGE_CODE).first()
        )
        return page or CataloguePage.objects.live().first()

    return {"catalogue_page": SimpleLazyObject(catalogue)}
