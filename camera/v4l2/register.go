package v4l2

import "edgeae/camera"

// init makes camera.Open handle camera.KindV4L2.
func init() {
	camera.Register(camera.KindV4L2, func(cfg camera.Config) (camera.Source, error) {
		cam, err := Open(cfg.V4L2)
		if err != nil {
			return nil, err
		}
		return cam, nil
	})
}
