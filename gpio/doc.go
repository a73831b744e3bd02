// Package gpio drives the digital outputs of the inspection station: the
// reject actuator that kicks a defective part off the conveyor, and the
// status LED.
//
// # Lines
//
// A Line is one output pin seen in terms of active and inactive, so the
// wiring (active high or active low) stays in the line's configuration.
// Two implementations exist, each in its own package:
//
//   - gpio/periphgpio drives a real pin through periph.io, on a Raspberry
//     Pi or, through the Linux GPIO character device, on a Jetson.
//   - gpio/gpiotest records every level change with a timestamp, for
//     tests, and can be made to fail.
//
// # Reject actuator
//
// Reject fires one pulse of RejectConfig.PulseWidth for each rejected
// part, RejectConfig.DelayAfterCapture after the frame was captured, which
// is the travel time from the camera to the kicker. Schedule queues the
// pulse and returns at once. A worker goroutine drives the line:
//
//   - Pulses run in the order of their start times.
//   - Pulses that overlap merge: the line stays active from the first
//     start to the last end, so two close defective parts are both kicked
//     and the kicker never drops in between.
//   - A pulse whose start has passed when it is scheduled (the inspection
//     was slower than the conveyor) starts at once if it is at most
//     RejectConfig.MaxLate late. A later one is dropped with ErrMissed,
//     because it would kick the next part instead.
//   - Close runs every accepted pulse to its end before it releases the
//     line, because a part already scheduled for rejection must not pass.
//   - A failed write does not stop the worker. Err reports the first
//     failure, and the caller treats it as a fault.
//
// # Status LED
//
// LED shows a Pattern from its own goroutine:
//
//	state     pattern                            call
//	starting  slow blink, 1 s period             led.SetPattern(gpio.Starting())
//	running   steady on                          led.SetPattern(gpio.Running())
//	reject    inverted for 100 ms, then back     led.Flash(gpio.RejectFlashWidth)
//	fault     fast blink, 200 ms period          led.SetPattern(gpio.Fault())
//	stopped   off                                led.Close()
//
// # Time
//
// Reject and LED take a Clock. The real one is SystemClock. Tests pass a
// gpiotest.Clock and step it by hand, so recorded pulse starts and widths
// are exact and no test sleeps.
//
// # Fail-safe wiring
//
// Software cannot hold a line while the program is not running: at boot,
// after a crash and after Release, the pin floats or takes its default
// state. Wire the actuator so that its resting state is the safe one,
// with a pull resistor to the inactive level.
package gpio
