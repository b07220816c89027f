: Persistent K+ current (Korngreen & Sakmann 2000, shifted by -10 mV, as in Hay et al. 2011).
NEURON {
    SUFFIX K_Pst
    USEION k READ ek WRITE ik
    RANGE gbar, g
}
UNITS { (S) = (siemens) (mV) = (millivolt) (mA) = (milliamp) }
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED { v (mV) celsius (degC) ek (mV) ik (mA/cm2) g (S/cm2) mInf mTau (ms) hInf hTau (ms) }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*h
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
    mInf = 1/(1 + exp(-(u + 1)/12))
    if (u < -50) {
        mTau = (1.25 + 175.03*exp(u*0.026))/qt
    } else {
        mTau = (1.25 + 13*exp(-u*0.026))/qt
    }
    hInf = 1/(1 + exp(-(u + 54)/-11))
    hTau = (360 + (1010 + 24*(u + 55))*exp(-((u + 75)/48)^2))/qt
}
UNITSON
