: High-voltage-activated Ca2+ current (Reuveni et al. 1993 as parametrised by Hay et al. 2011).
NEURON {
    SUFFIX Ca_HVA
    USEION ca READ eca WRITE ica
    RANGE gbar, g
}
UNITS { (S) = (siemens) (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED { v (mV) eca (mV) ica (mA/cm2) g (S/cm2) mInf mTau (ms) hInf hTau (ms) }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*h
    ica = g*(v - eca)
}
DERIVATIVE states {
    rates(v)
    m' = (mInf - m)/mTau
    h' = (hInf - h)/hTau
}
INITIAL { rates(v) m = mInf h = hInf }
UNITSOFF
PROCEDURE rates(v) { LOCAL a, b, x
    x = v + 27
    if (fabs(x/3.8) < 1e-6) { a = 0.055*(3.8 + x/2) } else { a = 0.055*x/(1 - exp(-x/3.8)) }
    b = 0.94*exp((-75 - v)/17)
    mInf = a/(a + b)
    mTau = 1/(a + b)
    a = 0.000457*exp((-13 - v)/50)
    b = 0.0065/(exp((-v - 15)/28) + 1)
    hInf = a/(a + b)
    hTau = 1/(a + b)
}
UNITSON
