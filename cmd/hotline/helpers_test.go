package main

import (
	"context"
	"net"

	"github.com/publicservice/hotline/arisim"
)

// serveOn serves sim on a loopback port and sends the address on addr.
func serveOn(ctx context.Context, sim *arisim.Sim, addr chan<- string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		close(addr)
		return err
	}
	addr <- ln.Addr().String()
	return sim.Serve(ctx, ln)
}
