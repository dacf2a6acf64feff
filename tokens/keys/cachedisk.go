package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// maxCacheFile bounds a cache file: a tokens.MaxBodySize body in base64 plus a little JSON.
const maxCacheFile = 2 * tokens.MaxBodySize

// diskPath names the cache file of (kind, url): a hash, so that no URL can name a path.
func (c *Cache) diskPath(kind, url string) string {
	sum := sha256.Sum256([]byte(cacheKey(kind, url)))
	return filepath.Join(c.Dir, kind+"-"+hex.EncodeToString(sum[:16])+".json")
}

// readDisk returns the entry cached on disk for (kind, url), or nil when there is none or
// it cannot be trusted: unreadable, too large, owned by another user or writable by
// others, not for this URL, with impossible times, or with a body that no longer passes
// the checks of a fresh fetch. Such a file is simply ignored; the next successful fetch
// replaces it.
func (c *Cache) readDisk(kind, url string, now time.Time) *cacheEntry {
	if c.Dir == "" {
		return nil
	}
	f, err := os.Open(c.diskPath(kind, url))
	if err != nil {
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || !ownedByUser(fi) || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o022 != 0) {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCacheFile+1))
	if err != nil || len(data) > maxCacheFile {
		return nil
	}
	var e cacheEntry
	if json.Unmarshal(data, &e) != nil || e.Kind != kind || e.URL != url ||
		e.Expires.Before(e.Fetched) || e.Expires.Sub(e.Fetched) > MaxCacheTTL ||
		e.Fetched.After(now.Add(time.Minute)) {
		return nil
	}
	switch kind {
	case kindJWKS:
		if e.keys, err = tokens.ParseJWKS(e.Body, "JWKS URL "+url); err != nil {
			return nil
		}
	case kindDiscovery:
		if urls, err := DiscoveryURLs(url); err != nil || !slices.Contains(urls, e.Source) {
			return nil
		}
		if e.md, err = parseMetadata(e.Body, e.Source, url); err != nil {
			return nil
		}
	default:
		return nil
	}
	e.lastAttempt = e.Fetched
	return &e
}

// writeDisk stores e atomically (a temporary file renamed over the old one), mode 0600 in
// a 0700 directory, so that readers in other processes see the old file or the new one,
// never a part.
func (c *Cache) writeDisk(e *cacheEntry) error {
	if c.Dir == "" {
		return nil
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.Dir, e.Kind+"-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.diskPath(e.Kind, e.URL))
}
