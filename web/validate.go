package web

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"siaga112/tracking"
)

// checkText refuses, naming the field, any string in a decoded body that
// tracking.CheckText refuses. It walks every body decodeBody reads, so no
// handler can forget a field. A field's limit and whether it may span lines
// come from its `text` tag: `text:"max=2000,multiline"`; without one the
// limit is tracking.MaxText bytes on a single line.
func checkText(v any) error {
	return walkText(reflect.ValueOf(v), "")
}

func walkText(v reflect.Value, name string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkText(v.Elem(), name)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			field := strings.Split(f.Tag.Get("json"), ",")[0]
			if field == "" {
				field = f.Name
			}
			if f.Type.Kind() == reflect.String {
				max, multiline := textRule(f.Tag.Get("text"))
				if err := tracking.CheckText(field, v.Field(i).String(), max, multiline); err != nil {
					return err
				}
				continue
			}
			if err := walkText(v.Field(i), field); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := walkText(v.Index(i), fmt.Sprintf("%s[%d]", name, i)); err != nil {
				return err
			}
		}
	case reflect.String:
		return tracking.CheckText(name, v.String(), tracking.MaxText, false)
	}
	return nil
}

func textRule(tag string) (max int, multiline bool) {
	max = tracking.MaxText
	for _, part := range strings.Split(tag, ",") {
		switch {
		case part == "multiline":
			multiline = true
		case strings.HasPrefix(part, "max="):
			if n, err := strconv.Atoi(part[4:]); err == nil {
				max = n
			}
		}
	}
	return max, multiline
}
