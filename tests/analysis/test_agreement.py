"""Inter-coder agreement: kappa, Krippendorff's alpha (binary and MASI), P/R/F1."""
import pytest

from analysis.agreement import agreement, cohen_kappa, krippendorff_alpha, masi_distance

A = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
B = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]


def test_kappa_hand_computed():
    # p_o = 0.8; p_e = 0.3*0.3 + 0.7*0.7 = 0.58; kappa = 0.22 / 0.42
    assert cohen_kappa(A, B) == pytest.approx(0.22 / 0.42)
    assert cohen_kappa([1, 0, 1], [1, 0, 1]) == pytest.approx(1.0)
    assert cohen_kappa([1, 0], [0, 1]) == pytest.approx(-1.0)
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) is None          # undefined: no variation


def test_alpha_hand_computed():
    # coincidences: o11 = 4, o00 = 12, o01 = o10 = 2; n = 20, n1 = 6, n0 = 14
    # alpha = 1 - (n - 1) * (o01 + o10) / (2 * n0 * n1) = 1 - 19 * 4 / 168
    assert krippendorff_alpha(zip(A, B)) == pytest.approx(1 - 19 * 4 / 168)
    # missing values: units with a single value are not pairable
    assert krippendorff_alpha([(1, 1), (0, 0), (1, None), (0, 1)]) == pytest.approx(
        krippendorff_alpha([(1, 1), (0, 0), (0, 1)]))
    assert krippendorff_alpha([(1, 1), (1, 1)]) is None


def test_alpha_against_reference_package():
    kd = pytest.importorskip("krippendorff")
    import numpy as np
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
            [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]]
    ours = krippendorff_alpha(zip(*data))
    ref = kd.alpha(reliability_data=np.array(data, dtype=float), level_of_measurement="nominal")
    assert ours == pytest.approx(ref)


def test_masi_distance():
    assert masi_distance({"A"}, {"A"}) == 0.0
    assert masi_distance(set(), set()) == 0.0
    assert masi_distance({"A"}, {"B"}) == 1.0
    assert masi_distance({"A"}, {"A", "B"}) == pytest.approx(1 - 0.5 * 2 / 3)
    assert masi_distance({"A", "C"}, {"A", "B"}) == pytest.approx(1 - (1 / 3) * (1 / 3))


def test_agreement_between_two_coders():
    anna = {1: {"WIJK"}, 2: {"WIJK", "JEUGD"}, 3: set(), 4: {"JEUGD"}, 5: {"ZORG"}}
    model = {1: {"WIJK"}, 2: {"WIJK"}, 3: {"JEUGD"}, 4: {"JEUGD"}, 6: {"WIJK"}}
    ag = agreement(anna, model)
    assert ag.n_segments == 4                      # segments both coded: 1-4
    assert ag.codes == ("JEUGD", "WIJK")
    assert ag.kappa["WIJK"] == pytest.approx(1.0)
    # JEUGD: anna [0,1,0,1], model [0,0,1,1]: p_o = .5, p_e = .5 -> kappa 0
    assert ag.kappa["JEUGD"] == pytest.approx(0.0)
    assert ag.percent_agreement["JEUGD"] == 0.5
    s = ag.scores.per_code["JEUGD"]
    assert (s.precision, s.recall, s.f1) == (0.5, 0.5, 0.5)
    # micro: tp = 3 (WIJK x2, JEUGD x1), fp = 1, fn = 1
    assert ag.scores.micro_f1 == pytest.approx(0.75)
    assert ag.alpha_masi is not None and -1 <= ag.alpha_masi <= 1
    assert ag.alpha_mean_per_code == pytest.approx((ag.alpha["JEUGD"] + ag.alpha["WIJK"]) / 2)
    d = ag.to_dict()
    assert d["per_code"]["WIJK"]["kappa"] == 1.0 and d["n_segments"] == 4
    perfect = agreement(anna, anna)
    assert perfect.alpha_masi == pytest.approx(1.0) and perfect.scores.micro_f1 == 1.0


def test_nominal_alpha_from_the_package_agrees_with_the_coincidence_matrix():
    """Nominal alpha comes from the ``krippendorff`` package; the coincidence-matrix
    code kept for MASI gives the same figure when handed the nominal distance."""
    import random

    def by_hand(x, y):  # not analysis.agreement.nominal_distance, so alpha is computed here
        return 0.0 if x == y else 1.0

    rng = random.Random(7)
    for _ in range(50):
        p = rng.random()
        units = [tuple(None if rng.random() < 0.1 else rng.random() < p for _ in range(rng.choice((2, 3))))
                 for _ in range(rng.randint(2, 80))]
        ours, package = krippendorff_alpha(units, by_hand), krippendorff_alpha(units)
        assert (ours is None) == (package is None)
        if ours is not None:
            assert package == pytest.approx(ours, abs=1e-12)
    assert krippendorff_alpha(zip(A, B), by_hand) == pytest.approx(1 - 19 * 4 / 168)
