: Persistent Na+ current (Magistretti & Alonso 1999 as parametrised by Hay et al. 2011); written for repbench.
NEURON {
    SUFFIX Nap_Et2
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
    mInf = 1/(1 + exp(-(v + 52.6)/4.6))
    a = 0.182*vtrap(v + 38, 6)
    b = 0.124*vtrap(-(v + 38), 6)
    mTau = 6/(a + b)/qt
    hInf = 1/(1 + exp((v + 48.8)/10))
    a = 2.88e-6*vtrap(-(v + 17), 4.63)
    b = 6.94e-6*vtrap(v + 64.4, 2.63)
    hTau = 1/(a + b)/qt
}
FUNCTION vtrap(x, y) {
    if (fabs(x/y) < 1e-6) { vtrap = y + x/2 } else { vtrap = x/(1 - exp(-x/y)) }
}
UNITSON
