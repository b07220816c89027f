: Transient (A-type) K+ current (Korngreen & Sakmann 2000, shifted by -10 mV, as in Hay et al. 2011).
NEURON {
    SUFFIX K_Tst
    USEION k READ ek WRITE ik
    RANGE gbar, g
}
UNITS { (S) = (siemens) (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED { v (mV) celsius (degC) ek (mV) ik (mA/cm2) g (S/cm2) mInf mTau (ms) hInf hTau (ms) }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*m*m*h
    ik = g*(v - ek)
}
DERIVATIVE states {
    rates(v)
    m' = (mInf - m)/mTau
    h' = (hInf - h)/hTau
}
INITIAL { rates(v) m = mInf h = hInf }
UNITSOFF
PROCEDURE rates(v) { LOCAL qt, u
    qt = 2.3^((celsius - 21)/10)
    u = v + 10
    mInf = 1/(1 + exp(-(u + 0)/19))
    mTau = (0.34 + 0.92*exp(-((u + 71)/59)^2))/qt
    hInf = 1/(1 + exp(-(u + 66)/-10))
    hTau = (8 + 49*exp(-((u + 73)/23)^2))/qt
}
UNITSON
