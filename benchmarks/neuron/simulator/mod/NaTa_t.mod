: Fast inactivating Na+ current. Kinetics of Colbert & Pan 2002 as parametrised by Hay et al. 2011
: (PLoS Comput Biol 7:e1002107); written for repbench from the published equations.
NEURON {
    SUFFIX NaTa_t
    USEION na READ ena WRITE ina
    RANGE gbar, g
}
UNITS { (S) = (siemens) (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED { v (mV) celsius (degC) ena (mV) ina (mA/cm2) g (S/cm2) mInf mTau (ms) hInf hTau (ms) }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*m*h
    ina = g*(v - ena)
}
DERIVATIVE states {
    rates(v)
    m' = (mInf - m)/mTau
    h' = (hInf - h)/hTau
}
INITIAL { rates(v) m = mInf h = hInf }
UNITSOFF
PROCEDURE rates(v) { LOCAL qt, a, b
    qt = 2.3^((celsius - 21)/10)
    a = 0.182*vtrap(v + 38, 6)
    b = 0.124*vtrap(-(v + 38), 6)
    mInf = a/(a + b)
    mTau = 1/(a + b)/qt
    a = 0.015*vtrap(-(v + 66), 6)
    b = 0.015*vtrap(v + 66, 6)
    hInf = a/(a + b)
    hTau = 1/(a + b)/qt
}
: x/(1 - exp(-x/y)), continuous at x = 0
FUNCTION vtrap(x, y) {
    if (fabs(x/y) < 1e-6) { vtrap = y + x/2 } else { vtrap = x/(1 - exp(-x/y)) }
}
UNITSON
