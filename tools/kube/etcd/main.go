// Command etcd is the etcd server, built from go.etcd.io/etcd/server/v3 at the version
// that k8s.io/kubernetes pins, so that the test bed needs no prebuilt download.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
