: Small-conductance Ca2+-activated K+ current (Kohler et al. 1996 as parametrised by Hay et al. 2011).
NEURON {
    SUFFIX SK_E2
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar, g
}
UNITS { (S) = (siemens) (mV) = (millivolt) (mA) = (milliamp) (mM) = (milli/liter) }
PARAMETER { gbar = 0.000001 (S/cm2) zTau = 1 (ms) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) cai (mM) g (S/cm2) zInf }
STATE { z }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*z
    ik = g*(v - ek)
}
DERIVATIVE states { rates(cai) z' = (zInf - z)/zTau }
INITIAL { rates(cai) z = zInf }
UNITSOFF
PROCEDURE rates(ca) {
    if (ca < 1e-7) { ca = ca + 1e-7 }
    zInf = 1/(1 + (0.00043/ca)^4.8)
}
UNITSON
