"""Every model of the project has a factory, every factory and trait builds a valid row, and
tests build their fixtures with them."""

from pathlib import Path

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


# Tests build their rows with the factories; a raw create is kept only where the test is about
# creation itself or about counter drift, and says so with this marker on its line or in the
# comment lines of its paragraph. The number is what is left; lower it, never raise it.
CREATION_MARKER = "# about creation"
UNMARKED_CREATES_ALLOWED = 0


def _unmarked_creates() -> list[str]:
    tests_dir = Path(__file__).parent
    needle = "objects" + ".create("  # split so this file does not count itself
    found = []
    for path in sorted(tests_dir.rglob("*.py")):
        if tests_dir / "factories" in path.parents:
            continue
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if needle not in line:
                continue
            paragraph = [line]
            for above in reversed(lines[:number]):
                if not above.strip():
                    break
                paragraph.append(above)
            if not any(CREATION_MARKER in text for text in paragraph):
                found.append(f"{path.relative_to(tests_dir.parent)}:{number + 1}: {line.strip()}")
    return found


def test_fixtures_are_built_with_factories_not_raw_creates():
    unmarked = _unmarked_creates()
    assert len(unmarked) <= UNMARKED_CREATES_ALLOWED, (
        "build fixtures with tests.factories, or mark a create the test is about with "
        f"'{CREATION_MARKER}: why':\n" + "\n".join(unmarked))
