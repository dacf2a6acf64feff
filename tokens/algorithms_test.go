package tokens

import "testing"

// The list completion offers is exactly what verification knows.
func TestSignatureAlgorithmsAreKnown(t *testing.T) {
	for _, a := range SignatureAlgorithms {
		if _, ok := lookupSigAlg(a); !ok {
			t.Errorf("%s is listed but unknown", a)
		}
	}
	if err := CheckAlgorithms(SignatureAlgorithms); err != nil {
		t.Error(err)
	}
}
