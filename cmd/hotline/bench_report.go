package main

import (
	"context"
	"errors"
)

func (m *Main) benchReport(ctx context.Context, args []string) error { return errors.New("TODO") }
