"""Channel kinetics: each mechanism's steady state (its INITIAL value at a given voltage) against Hay et al.
2011's published rate functions, written here in their original form (the .mod files rewrite the
x/(1-exp(-x/y)) terms to stay finite at their singular points)."""

from __future__ import annotations

import math

import pytest
from neuron import h

exp = math.exp


def na_m(v):
    a = 0.182 * (v + 38) / (1 - exp(-(v + 38) / 6))
    b = 0.124 * (-v - 38) / (1 - exp(-(-v - 38) / 6))
    return a / (a + b)


def na_h(v):
    a = -0.015 * (v + 66) / (1 - exp((v + 66) / 6))
    b = -0.015 * (-v - 66) / (1 - exp((-v - 66) / 6))
    return a / (a + b)


def nats2_m(v):  # Shai et al. 2015's somatic NaTs2_t, as written in Beniaguev et al.'s model files
    a = 0.182 * (v + 32) / (1 - exp(-(v + 32) / 6))
    b = 0.124 * (-v - 32) / (1 - exp(-(-v - 32) / 6))
    return a / (a + b)


def nats2_h(v):
    a = -0.015 * (v + 60) / (1 - exp((v + 60) / 6))
    b = -0.015 * (-v - 60) / (1 - exp((-v - 60) / 6))
    return a / (a + b)


def ih_m(v):
    a = 0.001 * 6.43 * (v + 154.9) / (exp((v + 154.9) / 11.9) - 1)
    b = 0.001 * 193 * exp(v / 33.1)
    return a / (a + b)


def hva_m(v):
    a = 0.055 * (-27 - v) / (exp((-27 - v) / 3.8) - 1)
    b = 0.94 * exp((-75 - v) / 17)
    return a / (a + b)


def hva_h(v):
    a = 0.000457 * exp((-13 - v) / 50)
    b = 0.0065 / (exp((-v - 15) / 28) + 1)
    return a / (a + b)


def im_m(v):
    a = 3.3e-3 * exp(2.5 * 0.04 * (v + 35))
    b = 3.3e-3 * exp(-2.5 * 0.04 * (v + 35))
    return a / (a + b)


STEADY_STATES = {
    ("NaTa_t", "m"): na_m,
    ("NaTa_t", "h"): na_h,
    ("NaTs2_t", "m"): nats2_m,
    ("NaTs2_t", "h"): nats2_h,
    ("Nap_Et2", "m"): lambda v: 1 / (1 + exp((v + 52.6) / -4.6)),
    ("Nap_Et2", "h"): lambda v: 1 / (1 + exp((v + 48.8) / 10)),
    ("K_Tst", "m"): lambda v: 1 / (1 + exp(-(v + 10) / 19)),
    ("K_Tst", "h"): lambda v: 1 / (1 + exp(-(v + 10 + 66) / -10)),
    ("K_Pst", "m"): lambda v: 1 / (1 + exp(-(v + 10 + 1) / 12)),
    ("K_Pst", "h"): lambda v: 1 / (1 + exp(-(v + 10 + 54) / -11)),
    ("SKv3_1", "m"): lambda v: 1 / (1 + exp((v - 18.7) / -9.7)),
    ("Im", "m"): im_m,
    ("Ih", "m"): ih_m,
    ("Ca_HVA", "m"): hva_m,
    ("Ca_HVA", "h"): hva_h,
    ("Ca_LVAst", "m"): lambda v: 1 / (1 + exp((v + 10 + 30) / -6)),
    ("Ca_LVAst", "h"): lambda v: 1 / (1 + exp((v + 10 + 80) / 6.4)),
}


@pytest.mark.parametrize(("mech", "gate"), list(STEADY_STATES), ids=[f"{m}-{g}" for m, g in STEADY_STATES])
@pytest.mark.parametrize("v", [-90.0, -65.0, -37.0, -31.0, 0.0, 20.0])
def test_steady_state_matches_the_published_rate_functions(mech, gate, v):
    sec = h.Section(name="probe")
    sec.insert(mech)
    h.finitialize(v)
    assert getattr(sec(0.5), f"{gate}_{mech}") == pytest.approx(STEADY_STATES[mech, gate](v), rel=1e-6, abs=1e-12)


def test_sk_follows_calcium():
    sec = h.Section(name="probe")
    sec.insert("SK_E2")
    sec.insert("CaDynamics_E2")
    h.finitialize(-70.0)
    z_rest = sec(0.5).z_SK_E2  # at the resting [Ca2+] of 1e-4 mM
    assert z_rest == pytest.approx(1 / (1 + (0.00043 / 1e-4) ** 4.8), rel=1e-6)
