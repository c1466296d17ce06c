"""Factories for test data, one per model that tests create."""

import factory
from django.contrib.auth import get_user_model

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"volunteer{n}@example.kz")
    first_name = "Айгерім"
    last_name = "Сейітова"
    patronymic = "Бекқызы"
    full_name_latin = "Aigerim Seitova"
    preferred_language = "ru"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()
