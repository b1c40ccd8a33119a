"""core/training/settings.py, core/surface/settings.py: hand-typed URL settings never break the app; α halves."""

import pytest

from core.surface import loss_surface
from core.model.network import GRADIENT_RULES, INITIALISATIONS
from core.training.settings import (
    CHOICES,
    NUMERIC_RANGES,
    SEED_RANGE,
    Settings,
    learning_rate_at,
    settings_from_query,
    settings_to_query,
    validation_errors,
)
from core.surface.settings import surface_settings_from_query
from locales.words import said

HIGHEST_SEED = SEED_RANGE[1]


def test_defaults_are_the_documents():
    assert Settings() == Settings(learning_rate=0.01, decay_period=5, decay_factor=0.5, rule="document",
                                  hidden=10, init="uniform", seed=0)
    assert validation_errors(Settings()) == []


def test_valid_query_is_used_as_given():
    settings, notices = settings_from_query(
        {"lr": "0.05", "decay": "3", "factor": "0.25", "rule": "cross-entropy", "hidden": "32", "init": "he", "seed": "7"})
    assert notices == []
    assert settings == Settings(0.05, 3, 0.25, "cross-entropy", 32, "he", 7)


def test_missing_keys_take_defaults_silently():
    assert settings_from_query({}) == (Settings(), [])
    assert settings_from_query({"unrelated": "x"}) == (Settings(), [])


@pytest.mark.parametrize("key, text, words", [
    ("lr", "abc", "lr=abc is not a number; using the default 0.01"),
    ("lr", "1e-9", "outside the allowed range"),
    ("lr", "1000", "outside the allowed range"),
    ("lr", "nan", "not a finite number"),
    ("lr", "inf", "not a finite number"),
    ("decay", "0", "outside the allowed range"),
    ("decay", "2.5", "not a whole number"),
    ("factor", "1.5", "outside the allowed range"),
    ("hidden", "65", "outside the allowed range"),
    ("hidden", "ten", "not a number"),
    ("hidden", "", "not a number"),
    ("seed", "-1", "outside the allowed range"),
    ("seed", str(HIGHEST_SEED + 1), "outside the allowed range"),
    ("rule", "sgd", "not one of document, mse, cross-entropy; using the default document"),
    ("init", "zeros", "using the default uniform"),
])
def test_bad_values_fall_back_to_the_default_with_a_notice(key, text, words):
    settings, notices = settings_from_query({key: text, "seed": "3"} if key != "seed" else {key: text})
    assert len(notices) == 1 and words in said(notices[0]) and said(notices[0]).startswith(f"{key}=")
    name = NUMERIC_RANGES[key][0] if key in NUMERIC_RANGES else CHOICES[key][0]
    assert getattr(settings, name) == getattr(Settings(), name)
    assert validation_errors(settings) == []


def test_range_edges_are_accepted():
    low, notices = settings_from_query({"lr": "1e-5", "hidden": "1", "decay": "1", "factor": "0.05", "seed": "0"})
    high, more = settings_from_query({"lr": "100", "hidden": "64", "decay": "50", "factor": "1", "seed": str(HIGHEST_SEED)})
    assert notices == more == []
    assert (low.learning_rate, low.hidden, high.learning_rate, high.hidden, high.seed) == (1e-5, 1, 100.0, 64, HIGHEST_SEED)
    assert isinstance(high.hidden, int) and isinstance(high.decay_period, int)


def test_several_bad_values_give_several_notices():
    settings, notices = settings_from_query({"lr": "x", "hidden": "0", "rule": "?"})
    assert len(notices) == 3 and settings == Settings()


def test_query_round_trip():
    for settings in (Settings(), Settings(0.1234567890123, 7, 0.3, "mse", 64, "he", HIGHEST_SEED)):
        query = settings_to_query(settings)
        assert all(isinstance(value, str) for value in query.values())
        assert set(query) == {"lr", "decay", "factor", "rule", "hidden", "init", "seed"}
        assert settings_from_query(query) == (settings, [])


def test_choices_are_the_networks():
    assert CHOICES["rule"][1] == tuple(GRADIENT_RULES)
    assert CHOICES["init"][1] == INITIALISATIONS


def test_validation_errors_name_each_problem():
    errors = validation_errors(Settings(learning_rate=0.0, hidden=0, rule="x"))
    assert len(errors) == 3
    assert said(validation_errors(Settings(hidden=2.5))[0]).startswith("hidden=2.5")


def test_learning_rate_halves_every_five_epochs():
    rates = [learning_rate_at(Settings(), epoch) for epoch in range(11)]
    assert rates == [0.01] * 5 + [0.005] * 5 + [0.0025]
    assert learning_rate_at(Settings(learning_rate=0.1, decay_period=2, decay_factor=0.1), 4) == pytest.approx(0.001)


def test_the_loss_surface_settings_default_when_the_url_has_none():
    assert surface_settings_from_query({}) == ({"directions": "random", "loss": None, "grid": 41,
                                               "samples": 1000, "span": 1.0, "seed": 0}, [])


def test_valid_loss_surface_settings_are_used_as_given():
    chosen, notices = surface_settings_from_query(
        {"grid": "21", "samples": "500", "span": "2.5", "dseed": "7", "directions": "pca", "loss": "cross-entropy"})
    assert notices == []
    assert chosen == {"directions": "pca", "loss": "cross-entropy", "grid": 21, "samples": 500, "span": 2.5,
                      "seed": 7}
    loss_surface.check_settings(**chosen)  # what the URL accepts, the computation accepts


@pytest.mark.parametrize("key, text, words", [
    ("grid", "3", "grid=3 is outside the allowed range 11 to 61; using the default 41"),
    ("samples", "lots", "samples=lots is not a number"),
    ("span", "inf", "not a finite number"),
    ("dseed", "-1", "outside the allowed range"),
    ("directions", "sideways", "directions=sideways is not one of random, pca; using random"),
    ("loss", "hinge", "loss=hinge is not one of mse, cross-entropy; using the loss the training rule minimises"),
])
def test_bad_loss_surface_settings_fall_back_with_a_notice(key, text, words):
    chosen, notices = surface_settings_from_query({key: text, "grid": "21"} if key != "grid" else {key: text})
    assert len(notices) == 1 and words in said(notices[0])
    defaults = surface_settings_from_query({})[0]
    assert chosen == defaults | ({"grid": 21} if key != "grid" else {})


def test_the_training_seed_and_the_direction_seed_share_one_range():
    for seed, accepted in ((HIGHEST_SEED, True), (HIGHEST_SEED + 1, False)):
        training, notices = settings_from_query({"seed": str(seed)})
        surface, surface_notices = surface_settings_from_query({"dseed": str(seed)})
        assert (training.seed == seed, surface["seed"] == seed) == (accepted, accepted)
        assert (notices == [], surface_notices == []) == (accepted, accepted)
    loss_surface.check_settings("random", 1.0, 41, 1000, "mse", HIGHEST_SEED)
