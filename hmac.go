package mailgun

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// by its hash. A process verifying with a few keys keeps them all; one
// verifying with thousands (a platform with a key per customer) gets a
// fresh MAC, as hmac.New would, when its slot belongs to another key.
const macSlots = 64

// pooledMAC is an HMAC-SHA256 state for one key, a buffer for its sum and
// one for input that must be written as bytes.
type pooledMAC struct {
	hash.Hash
	sum [sha256.Size]byte
	buf []byte
}

// keyMACs is the pool of MAC states for one signing key. misses counts
// the calls with other keys that found it in their slot since it was last
// used; past maxSlotMisses the slot goes to the key that missed.
type keyMACs struct {
	key    string
	pool   sync.Pool
	misses atomic.Int32
}

// maxSlotMisses is how many misses a key in use keeps its slot against, so
// that keys sharing a slot do not keep replacing each other's pools (each
// new pool costs more than the MAC it saves).
const maxSlotMisses = 64

var (
	macSeed  = maphash.MakeSeed()
	macCache [macSlots]atomic.Pointer[keyMACs]
)

// acquireMAC returns a reset HMAC-SHA256 state for key and the pool to give
// it back to with releaseMAC (nil for a one-off state). Reusing states
// saves the two hash allocations and the key schedule of hmac.New; the
// cache takes no lock.
func acquireMAC(key string) (*pooledMAC, *keyMACs) {
	slot := &macCache[maphash.String(macSeed, key)%macSlots]
	km := slot.Load()
	switch {
	case km != nil && km.key == key:
		if km.misses.Load() != 0 {
			km.misses.Store(0)
		}
	case km == nil || km.misses.Add(1) > maxSlotMisses:
		km = &keyMACs{key: key}
		km.pool.New = func() any { return &pooledMAC{Hash: hmac.New(sha256.New, []byte(key))} }
		slot.Store(km)
	default:
		return &pooledMAC{Hash: hmac.New(sha256.New, []byte(key))}, nil
	}
	m := km.pool.Get().(*pooledMAC)
	m.Reset()
	return m, km
}

func releaseMAC(m *pooledMAC, km *keyMACs) {
	if km != nil {
		km.pool.Put(m)
	}
}
