package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/moby/moby/client"
)

// workloadSource is the workload program (workload/main.go), embedded so
// that the image can be built wherever the Go toolchain is, whatever the
// working directory.
//
//go:embed workload/main.go
var workloadSource []byte

// imageRepo is the repository of workload images; the tag is a hash of
// what the image is built from.
const imageRepo = "berth-workload"

// builds memoizes built binaries per architecture within the process.
var builds sync.Map // arch -> *buildResult

type buildResult struct {
	once sync.Once
	bin  []byte
	err  error
}

// imageTag returns the workload image's reference for arch: it names the
// content the image is made from (the embedded source, or a prebuilt
// binary's bytes), so an engine that has it never rebuilds it.
func imageTag(arch string, prebuilt []byte) string {
	h := sha256.New()
	if prebuilt != nil {
		h.Write([]byte("binary\x00"))
		h.Write(prebuilt)
	} else {
		h.Write([]byte("source\x00" + arch + "\x00"))
		h.Write(workloadSource)
	}
	return imageRepo + ":" + hex.EncodeToString(h.Sum(nil))[:16]
}

// ensureImage makes sure the engine has the workload image and returns
// its reference. It imports the image only when the engine lacks it.
func ensureImage(ctx context.Context, cli *client.Client, prebuiltPath string) (string, error) {
	v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return "", fmt.Errorf("docker: engine version: %w", err)
	}
	if v.Os != "" && v.Os != "linux" {
		return "", fmt.Errorf("docker: engine OS %q, expected linux", v.Os)
	}
	arch := v.Arch
	if arch == "" {
		arch = runtime.GOARCH
	}
	var prebuilt []byte
	if prebuiltPath != "" {
		if prebuilt, err = os.ReadFile(prebuiltPath); err != nil {
			return "", fmt.Errorf("docker: workload binary: %w", err)
		}
	}
	ref := imageTag(arch, prebuilt)
	if _, err := cli.ImageInspect(ctx, ref); err == nil {
		return ref, nil
	}
	bin := prebuilt
	if bin == nil {
		if bin, err = buildWorkload(arch); err != nil {
			return "", err
		}
	}
	tarball, err := imageTar(bin)
	if err != nil {
		return "", err
	}
	res, err := cli.ImageImport(ctx, client.ImageImportSource{Source: bytes.NewReader(tarball), SourceName: "-"}, ref,
		client.ImageImportOptions{Changes: []string{`ENTRYPOINT ["/workload"]`, "LABEL berth.workload=" + ref}})
	if err != nil {
		return "", fmt.Errorf("docker: importing the workload image %s: %w", ref, err)
	}
	_, err = io.Copy(io.Discard, res)
	res.Close()
	if err != nil {
		return "", fmt.Errorf("docker: importing the workload image %s: %w", ref, err)
	}
	return ref, nil
}

// buildWorkload compiles the embedded workload source into a static Linux
// binary for arch, once per process.
func buildWorkload(arch string) ([]byte, error) {
	v, _ := builds.LoadOrStore(arch, &buildResult{})
	b := v.(*buildResult)
	b.once.Do(func() { b.bin, b.err = goBuild(arch) })
	return b.bin, b.err
}

func goBuild(arch string) ([]byte, error) {
	// The toolchain that built this program first (a test binary's, say),
	// then the one in PATH.
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); runtime.GOROOT() == "" || err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			return nil, fmt.Errorf("docker: building the workload image needs the Go toolchain (go is not in PATH); or give a prebuilt binary (Config.Workload)")
		}
	}
	dir, err := os.MkdirTemp("", "berth-workload-")
	if err != nil {
		return nil, fmt.Errorf("docker: building the workload: %w", err)
	}
	defer os.RemoveAll(dir)
	files := map[string][]byte{
		"go.mod":  []byte("module berthworkload\n\ngo 1.24\n"),
		"main.go": workloadSource,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, fmt.Errorf("docker: building the workload: %w", err)
		}
	}
	out := filepath.Join(dir, "workload")
	cmd := exec.Command(gobin, "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOWORK=off", "GOFLAGS=-mod=mod", "GO111MODULE=on")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("docker: go build of the workload for linux/%s: %v: %s", arch, err, strings.Join(strings.Fields(string(msg)), " "))
	}
	return os.ReadFile(out)
}

// imageTar packs bin as /workload into a root file system tarball, the
// whole content of a scratch image.
func imageTar(bin []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "workload", Mode: 0o755, Size: int64(len(bin)), Typeflag: tar.TypeReg}); err != nil {
		return nil, fmt.Errorf("docker: packing the workload: %w", err)
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, fmt.Errorf("docker: packing the workload: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("docker: packing the workload: %w", err)
	}
	return buf.Bytes(), nil
}
