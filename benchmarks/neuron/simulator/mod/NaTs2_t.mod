: Fast inactivating somatic Na+ current NaTs2_t (Colbert & Pan 2002 kinetics, shifted), as used by Shai et al. 2015
: (PLoS Comput Biol 11:e1004090, ModelDB 180373) and Beniaguev et al. 2021; written for repbench from the equations.
NEURON {
    SUFFIX NaTs2_t
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
    a = 0.182*vtrap(v + 32, 6)
    b = 0.124*vtrap(-(v + 32), 6)
    mInf = a/(a + b)
    mTau = 1/(a + b)/qt
    a = 0.015*vtrap(-(v + 60), 6)
    b = 0.015*vtrap(v + 60, 6)
    hInf = a/(a + b)
    hTau = 1/(a + b)/qt
}
: x/(1 - exp(-x/y)), continuous at x = 0
FUNCTION vtrap(x, y) {
    if (fabs(x/y) < 1e-6) { vtrap = y + x/2 } else { vtrap = x/(1 - exp(-x/y)) }
}
UNITSON
