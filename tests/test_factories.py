"""Every model of the project has a factory, and every factory and trait builds a valid row."""

import factory
import pytest
from django.apps import apps
from django.db.models import Model

import tests.factories
from community_service.db.counters import counter_recount, counter_specs

PROJECT_APPS = ("community_service", "members", "communities", "content", "events", "billing", "analytics")

FACTORIES: dict[type[Model], type[factory.django.DjangoModelFactory]] = {
    factory_class._meta.model: factory_class
    for factory_class in vars(tests.factories).values()
    if isinstance(factory_class, type) and issubclass(factory_class, factory.django.DjangoModelFactory)
}


def traits(factory_class: type[factory.django.DjangoModelFactory]) -> list[str]:
    return sorted(name for name, declaration in factory_class._meta.parameters.items()
                  if isinstance(declaration, factory.Trait))


CASES = [
    pytest.param(factory_class, trait, id=f"{factory_class.__name__}-{trait or 'plain'}")
    for factory_class in sorted(FACTORIES.values(), key=lambda f: f.__name__)
    for trait in [None, *traits(factory_class)]
]


def test_every_model_of_the_project_has_a_factory():
    models = {model for label in PROJECT_APPS for model in apps.get_app_config(label).get_models()
              if not model._meta.abstract and not model._meta.proxy}
    missing = sorted(model._meta.label for model in models - set(FACTORIES))
    assert not missing, f"add a factory for: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize(("factory_class", "trait"), CASES)
def test_factory_builds_a_valid_row(factory_class, trait):
    row = factory_class(**({trait: True} if trait else {}))

    # A nullable column whose model field is not blank=True (DonationDay.donor of anonymous
    # donations) is valid empty: only a form would call it blank.
    empty = [field.name for field in row._meta.fields if field.null and not field.blank
             and getattr(row, field.attname) is None]
    row.full_clean(exclude=empty)
    assert type(row)._default_manager.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_factories_keep_every_counter_true():
    # One of everything, several times over, replies and likes on comments included.
    for _ in range(2):
        for factory_class, trait in ((case.values[0], case.values[1]) for case in CASES):
            factory_class(**({trait: True} if trait else {}))
    comment = tests.factories.CommentFactory()
    reply = tests.factories.CommentFactory(parent=comment)
    tests.factories.CommentFactory(parent=reply)
    tests.factories.ReactionFactory(comment=reply, post=None)
    tests.factories.ReportEntryFactory(report=tests.factories.ReportFactory())

    drifted = {spec.name: drifts for spec in counter_specs() if (drifts := counter_recount(spec, fix=False))}

    assert drifted == {}
